// virtual_path FILE GO_FILE: reads the first line of FILE (a path that only exists
// through dmtcp_launch --pathvirt) and prints "before: <line>" and "ready"; once
// GO_FILE exists, reads it again and prints "after: <line>" ("missing" if it cannot).
#include <string.h>

#include "probe_util.h"

static void show(const char* when, const char* path) {
  char line[128] = "missing";
  FILE* f = fopen(path, "r");
  if (f != NULL) {
    if (fgets(line, sizeof line, f) == NULL) strcpy(line, "empty");
    fclose(f);
  }
  line[strcspn(line, "\n")] = '\0';
  SAY("%s: %s", when, line);
}

int main(int argc, char** argv) {
  if (argc < 3) return 2;
  show("before", argv[1]);
  SAY("ready");
  wait_for_file(argv[2]);
  show("after", argv[1]);
  return 0;
}
