# One place for warning flags (abseil's copts idea). Targets opt in by linking
# socialgate::warnings; third-party headers are included as SYSTEM so they stay quiet.
add_library(socialgate_warnings INTERFACE)
add_library(socialgate::warnings ALIAS socialgate_warnings)
target_compile_options(socialgate_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Werror
  -Wshadow -Wnon-virtual-dtor -Woverloaded-virtual -Wcast-qual -Wmissing-declarations
  -Wimplicit-fallthrough)
