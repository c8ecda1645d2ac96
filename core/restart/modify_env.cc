#include "core/restart/modify_env.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace dmtcp {
namespace {

bool NameChar(char c) { return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// `value` with each $NAME and ${NAME} replaced (by nothing when unset).
std::string Expand(absl::string_view value, const std::function<const char*(const std::string&)>& lookup) {
  std::string out;
  for (size_t i = 0; i < value.size();) {
    if (value[i] != '$' || i + 1 == value.size()) {
      out += value[i++];
      continue;
    }
    size_t start = i + 1, end;
    if (value[start] == '{') {
      end = value.find('}', start);
      if (end == absl::string_view::npos) {
        out.append(value.data() + i, value.size() - i);
        break;
      }
      const char* v = lookup(std::string(value.substr(start + 1, end - start - 1)));
      out += v ? v : "";
      i = end + 1;
      continue;
    }
    for (end = start; end < value.size() && NameChar(value[end]); end++) {
    }
    if (end == start) {
      out += value[i++];
      continue;
    }
    const char* v = lookup(std::string(value.substr(start, end - start)));
    out += v ? v : "";
    i = end;
  }
  return out;
}

}  // namespace

std::vector<std::string> ParseModifyEnv(absl::string_view text,
                                        const std::function<const char*(const std::string&)>& lookup) {
  std::vector<std::string> entries;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || line[0] == '#') continue;
    const size_t eq = line.find('=');
    absl::string_view name = absl::StripAsciiWhitespace(line.substr(0, eq));
    if (name.empty()) continue;
    if (eq == absl::string_view::npos) {
      entries.emplace_back(name);
    } else {
      entries.push_back(std::string(name) + "=" +
                        Expand(absl::StripLeadingAsciiWhitespace(line.substr(eq + 1)), lookup));
    }
  }
  return entries;
}

std::string ResolveModifyEnv(const std::string& dir) {
  std::ifstream in(dir + "/" + kModifyEnvFile);
  if (!in) return "";
  std::stringstream text;
  text << in.rdbuf();
  const std::vector<std::string> entries =
      ParseModifyEnv(text.str(), [](const std::string& name) { return getenv(name.c_str()); });
  return absl::StrJoin(entries, std::string(1, kModifyEnvSeparator));
}

}  // namespace dmtcp
