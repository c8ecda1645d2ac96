// env_watch GO_FILE: prints "ready", waits for GO_FILE, then prints
// "TARGET=<value or unset> GONE=<value or unset>" and "env_watch done".
#include "probe_util.h"

int main(int argc, char** argv) {
  if (argc < 2) return 2;
  SAY("ready");
  wait_for_file(argv[1]);
  const char* target = getenv("TARGET");
  const char* gone = getenv("GONE");
  SAY("TARGET=%s GONE=%s", target ? target : "unset", gone ? gone : "unset");
  SAY("env_watch done");
  return 0;
}
