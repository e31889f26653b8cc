// socialgate: the entry point. The command line (every command, its options and exit statuses)
// is app/command_line.cpp; each command's work is in app/ (serve, migrate, ...) or auth/
// (hash-secret).
#include <cstdio>

#include <sodium.h>

#include "app/command_line.hpp"

#ifdef SOCIALGATE_WITH_JEMALLOC
// jemalloc reads its options from this symbol. Blocks of 1 MiB and more (a media request's
// body, its base64 and its decoded bytes) come from an arena that returns freed pages to the
// system at once: under a media load the process would otherwise keep hundreds of megabytes of
// freed 5-7 MB blocks resident for jemalloc's ten-second decay.
extern "C" {
// NOLINTNEXTLINE(cppcoreguidelines-avoid-non-const-global-variables): jemalloc's interface
const char* malloc_conf = "oversize_threshold:1048576";
}
#endif

int main(int argc, char** argv) {
  if (sodium_init() < 0) {
    std::fprintf(stderr, "socialgate: libsodium could not be initialised\n");
    return 1;
  }
  return socialgate::app::RunCommandLine(argc, argv, SOCIALGATE_VERSION);
}
