#include "core/tools/arg_reader.h"

#include <cstdlib>
#include <cstring>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "core/common/exit_codes.h"

namespace dmtcp {

bool ArgReader::Next() {
  if (++i_ >= argc_) return false;
  name_ = argv_[i_];
  has_inline_value_ = false;
  size_t eq = name_.find('=');
  if (name_.rfind("--", 0) == 0 && eq != std::string::npos) {
    inline_value_ = name_.substr(eq + 1);
    name_.resize(eq);
    has_inline_value_ = true;
  }
  return true;
}

bool ArgReader::Is(const char* a, const char* b, const char* c) const {
  return name_ == a || (b != nullptr && name_ == b) || (c != nullptr && name_ == c);
}

std::string ArgReader::Value() {
  if (has_inline_value_) return inline_value_;
  if (i_ + 1 >= argc_) Fail(absl::StrCat("option ", name_, " needs a value (see --help)"));
  return argv_[++i_];
}

long ArgReader::Number(long min, long max) {
  const std::string option = name_;
  const std::string text = Value();
  long v;
  if (!absl::SimpleAtoi(text, &v) || v < min || v > max) {
    Fail(absl::StrCat("option ", option, " needs a number from ", min, " to ", max, ", not '",
                      text, "'"));
  }
  return v;
}

std::vector<char*> ArgReader::Rest() const {
  std::vector<char*> rest(argv_ + i_, argv_ + argc_);
  rest.push_back(nullptr);
  return rest;
}

void ArgReader::Unknown() const {
  Fail(absl::StrCat(IsOption() ? "unknown option " : "unexpected argument ", name_,
                    " (see --help)"));
}

long NumberFromEnv(const char* name, long fallback, long min, long max) {
  const char* text = getenv(name);
  if (text == nullptr || *text == '\0') return fallback;
  long v;
  if (!absl::SimpleAtoi(text, &v) || v < min || v > max) {
    Fail(absl::StrCat("$", name, " must be a number from ", min, " to ", max, ", not '", text, "'"));
  }
  return v;
}

}  // namespace dmtcp
