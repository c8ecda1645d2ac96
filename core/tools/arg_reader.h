// arg_reader.h - command-line scanning shared by every tool, DMTCP style: options may
// come as "--name value", "--name=value" or short "-x value", and an option error is
// one line and exit 99 ($DMTCP_FAIL_RC).
#ifndef CORE_TOOLS_ARG_READER_H
#define CORE_TOOLS_ARG_READER_H

#include <string>
#include <vector>

namespace dmtcp {

class ArgReader {
 public:
  ArgReader(int argc, char** argv) : argc_(argc), argv_(argv) {}

  // Moves to the next argument; false when there are none left.
  bool Next();
  // The current argument without any "=value" part.
  const std::string& arg() const { return name_; }
  bool Is(const char* a, const char* b = nullptr, const char* c = nullptr) const;
  bool IsOption() const { return name_.size() > 1 && name_[0] == '-'; }

  // The current option's value (inline or the next argument), or exit with a message.
  std::string Value();
  // Value() as a whole number in [min, max], or exit with a message.
  long Number(long min, long max);
  // The current argument and all after it, untouched (a program and its arguments).
  std::vector<char*> Rest() const;

  [[noreturn]] void Unknown() const;

 private:
  int argc_;
  char** argv_;
  int i_ = 0;
  std::string name_, inline_value_;
  bool has_inline_value_ = false;
};

// A number from the environment variable `name`, or `fallback` if unset.
long NumberFromEnv(const char* name, long fallback, long min, long max);

}  // namespace dmtcp

#endif  // CORE_TOOLS_ARG_READER_H
