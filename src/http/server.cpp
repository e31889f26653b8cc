// GCC 12 needs <utility> before Asio's awaitable header (a known Boost 1.74 bug).
#include <utility>
// clang-format off
#include "http/connection.hpp"
// clang-format on

#include <cerrno>
#include <cstring>
#include <thread>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <openssl/ssl.h>
#include <spdlog/spdlog.h>

#include "http/receive_time.hpp"
#include "util/thread_name.hpp"

// The listener: binds, accepts connections (each served by ServeConnection on its own strand,
// up to max_connections), runs the I/O threads, and drains on Stop().
namespace socialgate::http {
namespace {

using namespace detail;  // NOLINT(google-build-using-namespace): this module's own internals
using net::awaitable;
using net::use_awaitable;

// TLS 1.2 and later only, with the certificate chain and key from PEM files.
core::Result<std::unique_ptr<ssl::context>> MakeTlsContext(const ServerOptions& options) {
  auto ctx = std::make_unique<ssl::context>(ssl::context::tls_server);
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                   ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                   ssl::context::single_dh_use);
  SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
  beast::error_code ec;
  ctx->use_certificate_chain_file(options.tls_cert_file, ec);
  if (ec) {
    return core::MakeError(core::ErrorCode::kInvalidArgument,
                           "server.tls.cert_file: cannot load the certificate chain from '" +
                               options.tls_cert_file + "': " + ec.message());
  }
  ctx->use_private_key_file(options.tls_key_file, ssl::context::pem, ec);
  if (ec) {
    return core::MakeError(core::ErrorCode::kInvalidArgument,
                           "server.tls.key_file: cannot load the private key from '" +
                               options.tls_key_file + "': " + ec.message());
  }
  if (SSL_CTX_check_private_key(ctx->native_handle()) != 1) {
    return core::MakeError(core::ErrorCode::kInvalidArgument,
                           "server.tls.key_file: the private key does not match the certificate");
  }
  return ctx;
}

class BeastServer final : public HttpServer {
 public:
  BeastServer(const ServerOptions& options, Admitter admit)
      : options_(options),
        admit_(std::move(admit)),
        bodies_(options.body_budget_bytes),
        ioc_(options.threads),
        acceptor_(ioc_),
        work_(net::make_work_guard(ioc_)) {}

  core::Result<void> Listen() {
    auto proxies = util::TrustedProxies::Parse(options_.trusted_proxies);
    if (!proxies) {
      return core::MakeError(core::ErrorCode::kInvalidArgument,
                             "server.trusted_proxies: " + proxies.error().message);
    }
    proxies_ = std::move(*proxies);
    if (!options_.tls_cert_file.empty() || !options_.tls_key_file.empty()) {
      SG_ASSIGN_OR_RETURN(auto tls, MakeTlsContext(options_));
      tls_ = std::move(tls);
      context_.tls = tls_.get();
    }
    beast::error_code ec;
    const auto address = net::ip::make_address(options_.host, ec);
    if (ec) {
      return core::MakeError(core::ErrorCode::kInvalidArgument,
                             "listen address '" + options_.host + "' is not an IP address");
    }
    const tcp::endpoint endpoint(address, options_.port);
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
    if (ec) {
      return core::MakeError(core::ErrorCode::kUnavailable,
                             "cannot listen on " + options_.host + ":" +
                                 std::to_string(options_.port) + ": " + ec.message());
    }
    // On the listener too: its connections inherit the option, and the kernel stamps what
    // arrives on one before the accept loop has got to it.
    if (options_.receive_timestamps && !tls_ &&
        !EnableReceiveTimestamps(acceptor_.native_handle())) {
      spdlog::warn("http: no receive timestamps: {}", std::strerror(errno));
    }
    port_ = acceptor_.local_endpoint().port();
    return {};
  }

  std::uint16_t port() const override { return port_; }

  void Run() override {
    net::co_spawn(ioc_, Accept(), [](std::exception_ptr e) {
      if (e) {
        try {
          std::rethrow_exception(e);
        } catch (const std::exception& ex) {
          spdlog::error("http: the accept loop ended: {}", ex.what());
        }
      }
    });
    std::vector<std::thread> threads;
    for (int i = 1; i < options_.threads; ++i) {
      threads.emplace_back([this, i] {
        util::NameThisThread(options_.thread_name + "-" + std::to_string(i));
        ioc_.run();
      });
    }
    util::NameThisThread(options_.thread_name + "-0");
    ioc_.run();
    for (auto& t : threads) t.join();
  }

  void Stop() override {
    if (stopping_.exchange(true)) return;
    net::post(ioc_, [this] { BeginDrain(); });
  }

 private:
  void BeginDrain() {
    beast::error_code ignored;
    acceptor_.close(ignored);
    connections_.CloseIdle();
    drain_deadline_ = std::chrono::steady_clock::now() + options_.shutdown_grace;
    drain_timer_ = std::make_unique<net::steady_timer>(ioc_);
    WaitForDrain();
  }

  void WaitForDrain() {
    const bool drained = active_sessions_.load() == 0;
    if (drained || std::chrono::steady_clock::now() >= drain_deadline_) {
      if (!drained) {
        spdlog::warn("http: {} connections still busy after the shutdown grace period",
                     active_sessions_.load());
      }
      work_.reset();
      ioc_.stop();
      return;
    }
    drain_timer_->expires_after(std::chrono::milliseconds(20));
    drain_timer_->async_wait([this](const beast::error_code&) { WaitForDrain(); });
  }

  awaitable<void> Accept() {
    for (;;) {
      beast::error_code ec;
      tcp::socket socket = co_await acceptor_.async_accept(net::make_strand(ioc_),
                                                           net::redirect_error(use_awaitable, ec));
      if (ec == net::error::operation_aborted || stopping_) co_return;
      if (ec) {
        // EMFILE and friends pass: back off briefly instead of giving up on accepting.
        spdlog::warn("http: accept failed: {}", ec.message());
        net::steady_timer t(co_await net::this_coro::executor, std::chrono::milliseconds(50));
        co_await t.async_wait(net::redirect_error(use_awaitable, ec));
        continue;
      }
      if (active_sessions_.load() >= options_.max_connections) {
        beast::error_code ignored;
        const auto peer = socket.remote_endpoint(ignored);
        Report(ignored ? std::string() : peer.address().to_string(), 0,
               "too many connections: closed at once");
        socket.close(ignored);
        continue;
      }
      ++active_sessions_;
      auto ex = socket.get_executor();
      net::co_spawn(ex, ServeConnection(std::move(socket), context_), [this](std::exception_ptr e) {
        --active_sessions_;
        if (e) {
          try {
            std::rethrow_exception(e);
          } catch (const std::exception& error) {
            spdlog::error("http: session ended by an exception: {}", error.what());
          }
        }
      });
    }
  }

  void Report(const std::string& address, unsigned status, std::string_view reason) const {
    if (options_.on_refused) options_.on_refused(address, status, reason);
  }

  const ServerOptions options_;
  const Admitter admit_;
  util::ByteBudget bodies_;  // request bodies held at once, across all connections
  // Declared before ioc_ so they outlive it: destroying ioc_ destroys any session coroutine
  // still suspended (a shutdown whose grace ran out), and those unregister themselves here.
  std::atomic<bool> stopping_{false};
  std::atomic<int> active_sessions_{0};
  ConnectionRegistry connections_;
  util::TrustedProxies proxies_;
  std::unique_ptr<ssl::context> tls_;  // set when serving HTTPS
  ConnectionContext context_{&options_,     &admit_,   &bodies_, &stopping_,
                             &connections_, &proxies_, nullptr};
  net::io_context ioc_;
  tcp::acceptor acceptor_;
  net::executor_work_guard<net::io_context::executor_type> work_;
  std::uint16_t port_ = 0;
  std::chrono::steady_clock::time_point drain_deadline_;
  std::unique_ptr<net::steady_timer> drain_timer_;
};

}  // namespace

core::Result<std::unique_ptr<HttpServer>> HttpServer::Create(const ServerOptions& options,
                                                             Admitter admit) {
  auto server = std::make_unique<BeastServer>(options, std::move(admit));
  SG_RETURN_IF_ERROR(server->Listen());
  return std::unique_ptr<HttpServer>(std::move(server));
}

core::Result<std::unique_ptr<HttpServer>> HttpServer::Create(const ServerOptions& options,
                                                             Handler handler) {
  return Create(options, [handler = std::move(handler), limit = options.max_body_bytes](
                             const HttpRequest&, AdmissionResponder decide) {
    decide(Admission::Accept(limit, handler));
  });
}

}  // namespace socialgate::http
