// GCC 12 needs <utility> before Asio's awaitable header (a known Boost 1.74 bug).
#include <utility>
// clang-format off
#include "http/connection.hpp"
// clang-format on

#include <array>
#include <cerrno>
#include <type_traits>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http.hpp>
#include <spdlog/spdlog.h>

#include "core/text.hpp"
#include "http/framing.hpp"
#include "http/receive_time.hpp"
#include "http/request_record.hpp"

namespace socialgate::http::detail {

auto ConnectionRegistry::Add(std::shared_ptr<Connection> connection) -> Position {
  std::lock_guard lock(mutex_);
  connections_.push_front(std::move(connection));
  return connections_.begin();
}

void ConnectionRegistry::Remove(Position position) {
  (*position)->stream = nullptr;
  std::lock_guard lock(mutex_);
  connections_.erase(position);
}

void ConnectionRegistry::CloseIdle() {
  std::lock_guard lock(mutex_);
  for (auto& c : connections_) {
    net::post(c->executor, [c] {
      // Runs on the connection's strand, as does its session, which nulls `stream` when it
      // ends: a busy connection finishes its request and then closes (the server is stopping).
      if (c->stream != nullptr && !c->busy) {
        beast::error_code ignored;
        c->stream->socket().cancel(ignored);
      }
    });
  }
}

namespace {

// Spare capacity after a request body (see the read loop).
constexpr std::size_t kBodySlack = 64;
// A chunked body takes this much from the body budget at a time, ahead of its reads.
constexpr std::size_t kChunkedStep = 256 * 1024;
// How long, and how much, a connection closed after a refusal reads and drops (DrainBriefly).
constexpr std::chrono::milliseconds kLingerTime{2000};
constexpr std::size_t kLingerBytes = 64 * 1024 * 1024;
constexpr std::chrono::milliseconds kLingerQuiet{250};

namespace bhttp = boost::beast::http;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;
using net::awaitable;
using net::use_awaitable;

constexpr const char* kServerName = "socialgate";

// Calls the application's handler and suspends the session until the Responder is called,
// resuming on the session's strand whichever thread the answer comes from.
template <class Token>
auto AsyncHandle(const Handler& handler, HttpRequest request, Token&& token) {
  return net::async_initiate<Token, void(HttpResponse)>(
      [&handler](auto completion, HttpRequest req) {
        using Completion = decltype(completion);
        auto shared = std::make_shared<Completion>(std::move(completion));
        auto work = std::make_shared<net::executor_work_guard<net::any_io_executor>>(
            net::get_associated_executor(*shared));
        handler(std::move(req), Responder([shared, work](HttpResponse response) {
                  auto ex = net::get_associated_executor(*shared);
                  net::dispatch(ex, [shared, response = std::move(response)]() mutable {
                    (*shared)(std::move(response));
                  });
                  work->reset();
                }));
      },
      token, std::move(request));
}

// Asks the application to admit a request from its head, suspending the session until it
// decides, resuming on the session's strand whichever thread the decision comes from.
template <class Token>
auto AsyncAdmit(const Admitter& admit, const HttpRequest& head, Token&& token) {
  return net::async_initiate<Token, void(Admission)>(
      [&admit, &head](auto completion) {
        using Completion = decltype(completion);
        auto shared = std::make_shared<Completion>(std::move(completion));
        auto work = std::make_shared<net::executor_work_guard<net::any_io_executor>>(
            net::get_associated_executor(*shared));
        admit(head, AdmissionResponder([shared, work](Admission admission) {
                auto ex = net::get_associated_executor(*shared);
                net::dispatch(ex, [shared, admission = std::move(admission)]() mutable {
                  (*shared)(std::move(admission));
                });
                work->reset();
              }));
      },
      token);
}

bhttp::response<bhttp::string_body> ToBeast(HttpResponse&& r, unsigned version, bool keep_alive) {
  bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(r.status), version};
  res.set(bhttp::field::server, kServerName);
  res.set(bhttp::field::content_type, r.content_type);
  for (auto& [name, value] : r.headers) res.set(name, value);
  res.keep_alive(keep_alive);
  res.body() = std::move(r.body);
  res.prepare_payload();
  return res;
}

// The request's line and headers (its body is read later, once admitted).
HttpRequest HeadFromBeast(const bhttp::request<bhttp::string_body>& req, const std::string& peer,
                          const util::TrustedProxies& proxies) {
  HttpRequest out;
  out.method = std::string(req.method_string());
  const std::string_view target(req.target().data(), req.target().size());
  const auto q = target.find('?');
  out.path = std::string(target.substr(0, q));
  if (q != std::string_view::npos) out.query = std::string(target.substr(q + 1));
  out.headers.reserve(16);
  std::string forwarded_for;  // every X-Forwarded-For header, joined in order
  for (const auto& field : req) {
    std::string name =
        core::AsciiLower(std::string_view(field.name_string().data(), field.name_string().size()));
    if (!proxies.empty() && name == "x-forwarded-for") {
      if (!forwarded_for.empty()) forwarded_for += ',';
      forwarded_for.append(field.value().data(), field.value().size());
    }
    out.headers.emplace_back(std::move(name), std::string(field.value()));
  }
  out.remote_address = proxies.empty() ? peer : proxies.ClientAddress(peer, forwarded_for);
  return out;
}

// A request's first read on plain TCP with its kernel receive time (ServerOptions::
// receive_timestamps): recvmsg(2) once the socket is readable, waiting at most `timeout`.
// Beast's tcp_stream cannot hand back the control message that carries the time.
awaitable<std::size_t> ReadStamped(tcp::socket& socket, beast::flat_buffer& buffer,
                                   std::chrono::milliseconds timeout, std::int64_t& unix_micros,
                                   beast::error_code& ec) {
  constexpr std::size_t kChunk = 4096;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  net::steady_timer timer(socket.get_executor());
  for (;;) {
    const TimestampedRead read =
        ReadTimestamped(socket.native_handle(), buffer.prepare(kChunk).data(), kChunk);
    if (read.bytes > 0) {
      unix_micros = read.unix_micros;
      co_return static_cast<std::size_t>(read.bytes);
    }
    if (read.bytes == 0) {
      ec = net::error::eof;
      co_return 0;
    }
    if (read.error != EAGAIN && read.error != EWOULDBLOCK) {
      ec = beast::error_code(read.error, boost::system::system_category());
      co_return 0;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      ec = beast::error::timeout;
      co_return 0;
    }
    // The timer and the wait share the connection's strand: once the wait has ended, a timer
    // that fired meanwhile finds `waiting` false and leaves the socket alone.
    auto waiting = std::make_shared<bool>(true);
    timer.expires_at(deadline);
    timer.async_wait([&socket, waiting](const beast::error_code& e) {
      if (!e && *waiting) {
        beast::error_code ignored;
        socket.cancel(ignored);
      }
    });
    co_await socket.async_wait(tcp::socket::wait_read, net::redirect_error(use_awaitable, ec));
    *waiting = false;
    timer.cancel();
    if (ec) co_return 0;  // cancelled (idle timeout, shutdown) or failed: nothing to answer
  }
}

// One connection's session; lives in ServeConnection's coroutine frame.
class Session {
 public:
  explicit Session(const ConnectionContext& c)
      : options_(*c.options),
        admit_(*c.admit),
        bodies_(*c.bodies),
        stopping_(*c.stopping),
        connections_(*c.connections),
        proxies_(*c.proxies),
        tls_(c.tls) {}

  awaitable<void> Serve(tcp::socket socket) {
    if (tls_) {
      TlsStream stream(beast::tcp_stream(std::move(socket)), *tls_);
      co_await ServeStream(stream);
    } else {
      beast::tcp_stream stream(std::move(socket));
      co_await ServeStream(stream);
    }
  }

  // One connection's requests, over plain TCP (beast::tcp_stream) or TLS (TlsStream).
  template <class Stream>
  awaitable<void> ServeStream(Stream& stream) {
    constexpr bool kTls = std::is_same_v<Stream, TlsStream>;
    beast::tcp_stream& transport = beast::get_lowest_layer(stream);
    auto self =
        std::make_shared<Connection>(Connection{&transport, transport.get_executor(), false});
    struct Unregister {
      Unregister(ConnectionRegistry& r, ConnectionRegistry::Position p)
          : registry(r), position(p) {}
      ConnectionRegistry& registry;
      ConnectionRegistry::Position position;
      Unregister(const Unregister&) = delete;
      Unregister& operator=(const Unregister&) = delete;
      Unregister(Unregister&&) = delete;
      Unregister& operator=(Unregister&&) = delete;
      ~Unregister() { registry.Remove(position); }
    } unregister(connections_, connections_.Add(self));

    std::string remote;
    {
      beast::error_code ec;
      auto ep = transport.socket().remote_endpoint(ec);
      if (!ec) remote = ep.address().to_string();
    }
    if constexpr (kTls) {
      // The handshake is held to the header timeout, like the first request's header.
      beast::error_code ec;
      transport.expires_after(options_.header_timeout);
      co_await stream.async_handshake(ssl::stream_base::server,
                                      net::redirect_error(use_awaitable, ec));
      if (ec) {
        spdlog::debug("http: TLS handshake with {} failed: {}", remote, ec.message());
        transport.close();
        co_return;
      }
    }
    std::int64_t received_unix_micros = 0;  // of the last read that began a request
    // Holds a header and at most max_read_ahead_bytes beyond it: what a request can make this
    // connection hold before it is admitted.
    beast::flat_buffer buffer(options_.max_header_bytes + options_.max_read_ahead_bytes);
    // Unread body bytes may still be on their way when the connection is closed after a
    // refusal: read and drop them briefly first, so the client is not reset before it has read
    // the answer.
    bool linger = false;
    for (;;) {
      // Checked on this strand, after any posted CloseIdle task ran: no new request once
      // stopping.
      if (stopping_) break;
      beast::error_code ec;
      bhttp::request_parser<bhttp::string_body> parser;
      parser.header_limit(static_cast<std::uint32_t>(options_.max_header_bytes));
      parser.body_limit(options_.max_body_bytes);

      if (buffer.size() == 0) {
        // Wait for the next request's first bytes no longer than the idle timeout...
        std::size_t n = 0;
        if (kTls || !options_.receive_timestamps) {
          transport.expires_after(options_.idle_timeout);
          n = co_await stream.async_read_some(buffer.prepare(4096),
                                              net::redirect_error(use_awaitable, ec));
        } else {
          n = co_await ReadStamped(transport.socket(), buffer, options_.idle_timeout,
                                   received_unix_micros, ec);
        }
        if (ec) break;  // end of stream, idle timeout, reset or shutdown: nothing to answer
        buffer.commit(n);
      }
      // ...and then for the whole header no longer than the header timeout, so a client that
      // trickles its header (slowloris) is cut off.
      self->busy = true;
      current_ = Current{};
      current_.remote = remote;
      current_.started = std::chrono::steady_clock::now();
      transport.expires_after(options_.header_timeout);
      co_await bhttp::async_read_header(stream, buffer, parser,
                                        net::redirect_error(use_awaitable, ec));
      if (ec == bhttp::error::body_limit) {
        // The declared Content-Length alone is over the limit: refuse before reading the body.
        Report(remote, 413, "declared body larger than server.max_body_bytes");
        co_await Write(stream, TooLarge(options_.max_body_bytes), 11, false);
        linger = true;
        break;
      }
      if (ec) {
        if (ec == bhttp::error::header_limit || ec == bhttp::error::buffer_overflow) {
          Report(remote, 431, "request headers too large");
          co_await Write(stream, JsonError(431, "request headers are too large"), 11, false);
          linger = true;
        } else if (ec.category() == bhttp::make_error_code(bhttp::error::bad_value).category() &&
                   ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message) {
          // A parse error (a control character in a header, a bad request line...): say so.
          Report(remote, 400, "malformed HTTP request: " + ec.message());
          co_await Write(stream, JsonError(400, "the HTTP request is malformed: " + ec.message()),
                         11, false);
          linger = true;
        }
        break;  // end of stream, timeout, reset or shutdown: nothing to answer
      }
      const unsigned version = parser.get().version();
      HttpRequest request = HeadFromBeast(parser.get(), remote, proxies_);
      request.received_unix_micros = received_unix_micros;
      current_.method = request.method;
      current_.remote = request.remote_address;
      current_.request_id = RequestIdFor(request.Header("x-request-id"));
      request.request_id = current_.request_id;
      // A body framed any other way than one Content-Length or exactly "chunked" could hide a
      // second request (smuggling): 400, and the connection is closed (RFC 9112 section 6.3).
      if (auto framing = FramingError(request, version, parser.chunked())) {
        Report(remote, 400, *framing);
        co_await Write(stream, JsonError(400, "the HTTP request is malformed: " + *framing),
                       version, false);
        linger = true;
        break;
      }
      const bool keep_alive = parser.get().keep_alive();
      const bool body_follows = !parser.is_done();

      Admission admission = co_await AsyncAdmit(admit_, request, use_awaitable);
      current_.route = admission.route;
      if (admission.refusal) {
        // No 100 Continue, and none of the body read: the connection closes unless the request
        // had none.
        const bool keep = keep_alive && !body_follows && !stopping_;
        const bool written = co_await Write(stream, std::move(*admission.refusal), version, keep);
        self->busy = false;
        if (!written || !keep) {
          linger = written && body_follows;
          break;
        }
        continue;
      }
      const std::size_t limit = std::min(admission.max_body_bytes, options_.max_body_bytes);
      const auto declared = parser.content_length();
      if (declared && *declared > limit) {
        Report(remote, 413, "declared body larger than the endpoint's limit");
        co_await Write(stream, TooLarge(limit), version, false);
        linger = true;
        break;
      }
      util::ByteBudget::Lease held(bodies_);
      if (declared && !held.GrowTo(static_cast<std::size_t>(*declared))) {
        Report(remote, 503, "request bodies held at once reached server.body_budget_bytes");
        co_await Write(stream, BudgetSpent(), version, false);
        linger = true;
        break;
      }
      if (body_follows && beast::iequals(parser.get()[bhttp::field::expect], "100-continue")) {
        bhttp::response<bhttp::empty_body> cont{bhttp::status::continue_, version};
        transport.expires_after(options_.read_timeout);
        co_await bhttp::async_write(stream, cont, net::redirect_error(use_awaitable, ec));
        if (ec) break;
      }
      if (declared) {
        // Room for 64 bytes past the end: a JSON parser that reads beyond the last byte
        // (simdjson) then needs no second copy of a 7 MB media request.
        parser.get().body().reserve(static_cast<std::size_t>(*declared) + kBodySlack);
      }
      parser.body_limit(limit);
      transport.expires_after(options_.read_timeout);
      bool budget_spent = false;
      while (!parser.is_done()) {
        // A chunked body takes from the budget ahead of what one read can add to it.
        if (!declared &&
            !held.GrowTo(parser.get().body().size() + kChunkedStep + buffer.max_size())) {
          budget_spent = true;
          break;
        }
        co_await bhttp::async_read_some(stream, buffer, parser,
                                        net::redirect_error(use_awaitable, ec));
        if (ec) break;
      }
      if (budget_spent) {
        Report(remote, 503, "request bodies held at once reached server.body_budget_bytes");
        co_await Write(stream, BudgetSpent(), version, false);
        linger = true;
        break;
      }
      if (ec == bhttp::error::body_limit) {
        Report(remote, 413, "chunked body larger than the limit");
        co_await Write(stream, TooLarge(limit), version, false);
        linger = true;
        break;
      }
      if (ec) {
        if (ec != beast::error::timeout && ec != bhttp::error::end_of_stream &&
            ec != net::error::operation_aborted && ec != net::error::connection_reset &&
            ec != bhttp::error::partial_message) {
          Report(remote, 400, "malformed HTTP body: " + ec.message());
          co_await Write(stream, JsonError(400, "the HTTP request is malformed"), version, false);
          linger = true;
        }
        break;
      }
      request.body = std::move(parser.get().body());
      HttpResponse response =
          co_await AsyncHandle(admission.handle, std::move(request), use_awaitable);
      if (response.drop_connection) break;
      const bool keep = keep_alive && !stopping_;
      const bool written = co_await Write(stream, std::move(response), version, keep);
      held.Release();
      self->busy = false;
      if (!written || !keep) break;
    }
    beast::error_code ignored;
    if constexpr (kTls) {
      // close_notify, briefly: a peer that never answers must not hold the connection.
      transport.expires_after(std::chrono::seconds(1));
      co_await stream.async_shutdown(net::redirect_error(use_awaitable, ignored));
    } else {
      transport.socket().shutdown(tcp::socket::shutdown_send, ignored);
      if (linger) co_await DrainBriefly(transport);
    }
    transport.close();
  }

  // After a refusal with the body unread: reads and drops what the client still sends, for at
  // most kLingerTime and kLingerBytes and until it is quiet for kLingerQuiet, so that closing
  // does not reset the connection (which makes the client's kernel drop the answer it has not
  // read yet). Nothing read is kept: a fixed 16 KiB buffer is reused.
  awaitable<void> DrainBriefly(beast::tcp_stream& transport) {
    std::array<char, 16 * 1024> sink{};
    std::size_t dropped = 0;
    const auto deadline = std::chrono::steady_clock::now() + kLingerTime;
    while (dropped < kLingerBytes) {
      const auto now = std::chrono::steady_clock::now();
      if (now >= deadline) break;
      beast::error_code ec;
      // A client that has stopped sending is left alone after a short quiet spell.
      transport.expires_after(
          std::min<std::chrono::steady_clock::duration>(deadline - now, kLingerQuiet));
      dropped += co_await transport.async_read_some(net::buffer(sink),
                                                    net::redirect_error(use_awaitable, ec));
      if (ec) break;
    }
  }

  void Report(const std::string& address, unsigned status, std::string_view reason) const {
    if (options_.on_refused) options_.on_refused(address, status, reason);
  }

  static HttpResponse BudgetSpent() {
    HttpResponse r = JsonError(
        503, "the gateway holds as many request bodies as it may at once; try again shortly");
    r.headers.emplace_back("Retry-After", "1");
    return r;
  }

  static HttpResponse TooLarge(std::size_t limit) {
    return JsonError(
        413, "the request body is larger than the limit of " + std::to_string(limit) + " bytes");
  }

  // Writes the current request's answer, with its X-Request-Id, and reports it (on_answered).
  template <class Stream>
  awaitable<bool> Write(Stream& stream, HttpResponse response, unsigned version, bool keep_alive) {
    if (!current_.request_id.empty()) {
      response.headers.emplace_back("X-Request-Id", current_.request_id);
    }
    const unsigned status = response.status;
    const std::size_t body_bytes = response.body.size();
    auto res = ToBeast(std::move(response), version, keep_alive);
    beast::error_code ec;
    beast::get_lowest_layer(stream).expires_after(options_.read_timeout);
    co_await bhttp::async_write(stream, res, net::redirect_error(use_awaitable, ec));
    if (options_.on_answered) {
      AnsweredRequest answered;
      answered.method = current_.method;
      answered.route = current_.route;
      answered.request_id = current_.request_id;
      answered.remote_address = current_.remote;
      answered.status = status;
      answered.duration = std::chrono::steady_clock::now() - current_.started;
      answered.response_body_bytes = body_bytes;
      answered.written = !ec;
      options_.on_answered(answered);
    }
    co_return !ec;
  }

 private:
  // The request being answered: for its X-Request-Id and on_answered.
  struct Current {
    std::string method;
    std::string remote;
    std::string request_id;
    std::string_view route;
    std::chrono::steady_clock::time_point started{};
  };
  Current current_;
  const ServerOptions& options_;
  const Admitter& admit_;
  util::ByteBudget& bodies_;
  const std::atomic<bool>& stopping_;
  ConnectionRegistry& connections_;
  const util::TrustedProxies& proxies_;
  ssl::context* tls_;
};

}  // namespace

net::awaitable<void> ServeConnection(tcp::socket socket, ConnectionContext context) {
  Session session(context);
  co_await session.Serve(std::move(socket));
}

}  // namespace socialgate::http::detail
