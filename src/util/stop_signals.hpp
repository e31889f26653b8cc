// File: util/stop_signals.hpp
//
// Watches SIGINT and SIGTERM for as long as it lives, so that the program that owns shutdown
// (app/, tools' mains) decides what a signal stops, and in which order. The first signal calls
// `on_signal` with its number, on the watcher's own thread ("sg-signals"); later ones are
// swallowed while the watcher lives (a second Ctrl-C does not cut a graceful shutdown short).
// With `on_reload`, SIGHUP is watched too: each one calls `on_reload` on the same thread (one
// at a time, in order; signals that arrive while it runs may be merged into one call), until a
// stop signal came. Destroying it restores the dispositions it found.
//
// The signal handler only writes the signal's number to a pipe (async-signal-safe); everything
// else runs on the watcher's thread. The pipe is the process's for good (two descriptors, never
// closed), so a handler late on another thread cannot write into a file that took over a
// closed descriptor's number.
//
// Thread safety: at most one StopSignals may exist at a time in a process (Watch refuses a
// second). `on_signal` must not destroy the watcher.
#pragma once

#include <functional>
#include <memory>

#include "core/error.hpp"

namespace socialgate::util {

class StopSignals {
 public:
  using OnSignal = std::function<void(int signal)>;

  // kUnavailable when the pipe, the handlers or the thread cannot be set up, or another
  // StopSignals exists.
  static core::Result<std::unique_ptr<StopSignals>> Watch(OnSignal on_signal,
                                                          OnSignal on_reload = {});

  virtual ~StopSignals() = default;
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;
  StopSignals(StopSignals&&) = delete;
  StopSignals& operator=(StopSignals&&) = delete;

 protected:
  StopSignals() = default;
};

}  // namespace socialgate::util
