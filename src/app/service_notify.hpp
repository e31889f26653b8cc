// File: app/service_notify.hpp
//
// The service manager's readiness protocol (sd_notify(3), systemd's Type=notify): what the
// gateway tells systemd about its state, on the datagram socket systemd names in NOTIFY_SOCKET.
// Every function is a no-op when NOTIFY_SOCKET is unset (the gateway run by hand, in a
// container, under the tests), and a failure to send is logged at debug level and
// otherwise ignored: the manager's bookkeeping never stops the gateway.
//
// The contract with the service manager (deploy/systemd/socialgate.service.in):
//   NotifyReady()     once the HTTP server listens and everything behind it has started, so a
//                     unit ordered After=socialgate.service finds requests answered. Also ends
//                     a reload (below).
//   NotifyReloading() when a reload begins (SIGHUP, the unit's ExecReload): RELOADING=1 with
//                     MONOTONIC_USEC (what systemd 253's Type=notify-reload wants; 252 ignores
//                     it). The reload must end with NotifyReady(), whether it succeeded or not
//                     (a failed reload keeps the old configuration serving: say why with
//                     NotifyStatus first); systemctl reload waits until then.
//   NotifyStopping()  at the start of shutdown (the first SIGTERM or SIGINT), before the drain,
//                     so `systemctl status` says "deactivating" while queued work finishes.
//   NotifyStatus(s)   a one-line state for `systemctl status` ("Status:"); `s` must not hold
//                     a newline (each line of a notification is one assignment).
//
// Thread safety: each call sends one datagram on a socket of its own; any thread may call any
// function at any time.
#pragma once

#include <string_view>

namespace socialgate::app {

// READY=1, with STATUS=`status` in the same datagram when `status` is not empty.
void NotifyReady(std::string_view status = {});
// RELOADING=1 and MONOTONIC_USEC=<now>.
void NotifyReloading();
// STOPPING=1.
void NotifyStopping();
// STATUS=`status`.
void NotifyStatus(std::string_view status);

}  // namespace socialgate::app
