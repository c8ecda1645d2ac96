#include "core/image/resource_records.h"

#include <cstring>

namespace img {
namespace {

// Copies the fixed part of a record; false if the payload is shorter.
template <typename Fixed>
bool Take(std::string_view payload, Fixed* fixed) {
  if (payload.size() < sizeof *fixed) return false;
  memcpy(fixed, payload.data(), sizeof *fixed);
  return true;
}

// The variable part after the fixed one: `len` bytes starting `skip` bytes in.
template <typename Fixed>
std::string Tail(std::string_view payload, uint64_t skip, uint64_t len) {
  return std::string(payload.substr(sizeof(Fixed) + skip, len));
}

bool ParseZombie(std::string_view payload, ImageIndex& idx) {
  struct img_zombie z;
  if (!Take(payload, &z) || payload.size() != sizeof z || z.pid == 0 || z.reserved != 0) return false;
  idx.zombies.push_back(z);
  return true;
}

bool ParseComputation(std::string_view payload, ImageIndex& idx) {
  struct img_computation c;
  if (!Take(payload, &c) || payload.size() != sizeof c || c.processes == 0 || idx.has_computation) {
    return false;
  }
  c.compid[sizeof c.compid - 1] = '\0';
  idx.computation = c;
  idx.has_computation = true;
  return true;
}

bool ParseCpu(std::string_view payload, ImageIndex& idx) {
  if (payload.size() > 4096 || !idx.cpu_features.empty()) return false;
  for (char c : payload) {
    if (c < ' ' || c > '~') return false;
  }
  idx.cpu_features = std::string(payload);
  return true;
}

bool ParseSysv(std::string_view payload, ImageIndex& idx) {
  SysvInfo v;
  if (!Take(payload, &v.sysv)) return false;
  const struct img_sysv& s = v.sysv;
  if (s.bytes != payload.size() - sizeof s || s.kind < IMG_SYSV_SHM || s.kind > IMG_SYSV_MSG ||
      s.id < 0 || (s.kind == IMG_SYSV_SEM && s.bytes != 2ull * s.count)) {
    return false;
  }
  v.data = Tail<struct img_sysv>(payload, 0, s.bytes);
  idx.sysv.push_back(std::move(v));
  return true;
}

bool ParsePipe(std::string_view payload, ImageIndex& idx) {
  PipeInfo p;
  if (!Take(payload, &p.pipe)) return false;
  if ((uint64_t)p.pipe.bytes + p.pipe.path_len != payload.size() - sizeof p.pipe || p.pipe.fd < 0) {
    return false;
  }
  p.path = Tail<struct img_pipe>(payload, 0, p.pipe.path_len);
  p.in_flight = Tail<struct img_pipe>(payload, p.pipe.path_len, p.pipe.bytes);
  idx.pipes.push_back(std::move(p));
  return true;
}

bool ParseSocket(std::string_view payload, ImageIndex& idx) {
  SocketInfo so;
  if (!Take(payload, &so.socket)) return false;
  const struct img_socket& s = so.socket;
  if (s.bytes != payload.size() - sizeof s || s.fd < 0 || s.local_len > sizeof s.local ||
      s.peer_len > sizeof s.peer) {
    return false;
  }
  so.queue = Tail<struct img_socket>(payload, 0, s.bytes);
  idx.sockets.push_back(std::move(so));
  return true;
}

bool ParseFile(std::string_view payload, ImageIndex& idx) {
  FileInfo f;
  if (!Take(payload, &f.file)) return false;
  if (f.file.path_len != payload.size() - sizeof f.file || f.file.fd < 0) return false;
  f.path = Tail<struct img_file>(payload, 0, f.file.path_len);
  idx.files.push_back(std::move(f));
  return true;
}

// A deleted file's contents: follows the record of its descriptor.
bool ParseGhost(std::string_view payload, ImageIndex& idx) {
  struct img_ghost g;
  if (!Take(payload, &g)) return false;
  FileInfo* file = idx.files.empty() ? nullptr : &idx.files.back();
  if (g.size != payload.size() - sizeof g || g.reserved != 0 || file == nullptr ||
      file->file.fd != g.fd) {
    return false;
  }
  file->has_ghost = true;
  file->ghost = Tail<struct img_ghost>(payload, 0, g.size);
  return true;
}

// A regular file's mode, size and perhaps contents: follows its descriptor's record.
bool ParseFileState(std::string_view payload, ImageIndex& idx) {
  struct img_file_state st;
  if (!Take(payload, &st)) return false;
  FileInfo* file = idx.files.empty() ? nullptr : &idx.files.back();
  const uint64_t contents = (st.flags & IMG_FILE_CONTENTS) ? st.size : 0;
  if (contents != payload.size() - sizeof st || st.reserved != 0 || file == nullptr ||
      file->file.fd != st.fd || file->has_state ||
      (st.flags & ~(uint32_t)(IMG_FILE_CONTENTS | IMG_FILE_OVERWRITE)) != 0) {
    return false;
  }
  file->has_state = true;
  file->state = st;
  file->contents = Tail<struct img_file_state>(payload, 0, contents);
  return true;
}

bool ParseMqueue(std::string_view payload, ImageIndex& idx) {
  MqueueInfo q;
  if (!Take(payload, &q.mqueue)) return false;
  const struct img_mqueue& m = q.mqueue;
  if (m.fd < 0 || m.maxmsg <= 0 || m.msgsize <= 0 ||
      payload.size() - sizeof m != (uint64_t)m.name_len + m.bytes) {
    return false;
  }
  q.name = Tail<struct img_mqueue>(payload, 0, m.name_len);
  q.messages = Tail<struct img_mqueue>(payload, m.name_len, m.bytes);
  idx.mqueues.push_back(std::move(q));
  return true;
}

bool ParseTerminal(std::string_view payload, ImageIndex& idx) {
  TerminalInfo t;
  if (!Take(payload, &t.terminal)) return false;
  const struct img_terminal& r = t.terminal;
  if (r.path_len != payload.size() - sizeof r || r.fd < 0 || r.role < IMG_TTY_MASTER ||
      r.role > IMG_TTY_OTHER) {
    return false;
  }
  t.path = Tail<struct img_terminal>(payload, 0, r.path_len);
  idx.terminals.push_back(std::move(t));
  return true;
}

constexpr RecordKind kRecordKinds[] = {
    {IMG_REC_COMPUTATION, "computation", ParseComputation},
    {IMG_REC_CPU, "CPU features", ParseCpu},
    {IMG_REC_ZOMBIE, "zombie", ParseZombie},
    {IMG_REC_SYSV, "System V IPC", ParseSysv},
    {IMG_REC_PIPE, "pipe", ParsePipe},
    {IMG_REC_SOCKET, "socket", ParseSocket},
    {IMG_REC_FILE, "file", ParseFile},
    {IMG_REC_GHOST, "deleted-file", ParseGhost},
    {IMG_REC_FILE_STATE, "file state", ParseFileState},
    {IMG_REC_MQUEUE, "message queue", ParseMqueue},
    {IMG_REC_TERMINAL, "terminal", ParseTerminal},
};

}  // namespace

const RecordKind* FindRecordKind(uint32_t tag) {
  for (const RecordKind& kind : kRecordKinds) {
    if (kind.tag == tag) return &kind;
  }
  return nullptr;
}

}  // namespace img
