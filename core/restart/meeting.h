// meeting.h - where the dmtcp_restarts of one computation, one per host, meet during a
// restart: the coordinator's name service (MSG_KVDB), under keys of this restart round.
// A connection between processes restored on different hosts is joined again through
// it (kinds/sockets.cc): one side publishes where it listens, the other looks it up.
#ifndef CORE_RESTART_MEETING_H
#define CORE_RESTART_MEETING_H

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace dmtcp {

class RestartMeeting {
 public:
  // `coord_fd`: dmtcp_restart's connection to the coordinator, past its hello;
  // `round`: the number the coordinator gave this restart; `computation`: processes
  // the images' checkpoint had on every host (0: not known); `here`: the images this
  // dmtcp_restart restores.
  RestartMeeting(int coord_fd, int64_t round, int64_t computation, int64_t here);

  // Whether other hosts restore part of the computation.
  bool spans_hosts() const { return computation_ > here_; }
  // The address other hosts reach this one at: ours on the way to the coordinator.
  const std::string& address() const { return address_; }

  absl::Status Set(const std::string& key, const std::string& value);
  absl::StatusOr<std::optional<std::string>> Get(const std::string& key);

  // Says that this host published all it will, then waits until every host has or
  // `limit` passes. Returns how many processes of the computation are accounted for.
  absl::StatusOr<int64_t> AllPublished(absl::Duration limit);

 private:
  absl::StatusOr<std::optional<std::string>> Request(int op, const std::string& key,
                                                     const std::string& value);

  int fd_;
  std::string db_;
  int64_t computation_, here_;
  std::string address_;
};

}  // namespace dmtcp

#endif  // CORE_RESTART_MEETING_H
