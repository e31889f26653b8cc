// Callbacks to callers ([domains.callbacks], webhooks/callback_sender.hpp) against the real
// binary: every status change of a domain's messages is POSTed to its URL once, in order per
// message, signed as Standard Webhooks says (checked here with OpenSSL, independently of the
// gateway's libsodium signer); a receiver that fails is retried with the same webhook-id and
// bytes until it recovers, or given up after max_age_ms; nothing is lost across a restart
// (SIGTERM or SIGKILL); GET /livechat/{domain}/callbacks lists them; a domain without the table
// gets none. The receiver is a small HTTP/1.1 server in this file (127.0.0.1, a free port) that
// records every request and answers with the status the test chooses.
#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <nlohmann/json.hpp>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "customer_window.hpp"
#include "fake_graph_process.hpp"
#include "gateway_process.hpp"
#include "http_client.hpp"
#include "meta_test_config.hpp"
#include "storage_engines.hpp"

namespace socialgate::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using Clock = std::chrono::steady_clock;

const Credentials kDemo{"demo", std::string(kTestPassword)};
const Credentials kClerk{"clerk", std::string(kTestPassword)};  // limited to kNumber
const Credentials kBeta{"beta", std::string(kTestPassword)};
const Credentials kAcme{"acme", std::string(kTestPassword)};
constexpr std::string_view kNumber = "3902124122690";
constexpr std::string_view kBetaNumber = "3902124122691";
constexpr std::string_view kAcmeNumber = "3902124122692";
constexpr std::string_view kCustomer = "393403603062";

// A message's callbacks, in the order of its changes (accepted by the sandbox, then its reports).
const std::vector<std::string> kChanges = {"accepted", "sent", "delivered", "read"};

// ---- The receiver ----------------------------------------------------------------------------

// One request the receiver got, and what it answered.
struct ReceivedRequest {
  std::string method;
  std::string target;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;                            // the exact bytes
  int answered = 0;                            // the status it was answered with
  bool late = false;                           // answered only after AnswerLateUntil's delay
  Clock::time_point at;

  std::string Header(const std::string& lower_name) const {
    const auto it = headers.find(lower_name);
    return it == headers.end() ? "" : it->second;
  }
};

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// HTTP/1.1 on 127.0.0.1 at a free port, keep-alive, Content-Length bodies (what libcurl sends
// the gateway's callbacks with), a thread per connection. Every request is recorded, then
// answered with the status the test chose (200 unless told otherwise), with an empty body.
class CallbackReceiver {
 public:
  CallbackReceiver() {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (listen_fd_ < 0) {
      ADD_FAILURE() << "receiver: socket: " << errno;
      return;
    }
    const int one = 1;
    ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t length = sizeof addr;
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::listen(listen_fd_, 64) != 0 ||
        ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &length) != 0) {
      ADD_FAILURE() << "receiver: cannot listen on 127.0.0.1: errno " << errno;
      ::close(listen_fd_);
      listen_fd_ = -1;
      return;
    }
    port_ = ntohs(addr.sin_port);
    acceptor_ = std::thread([this] { AcceptLoop(); });
  }

  ~CallbackReceiver() {
    stop_ = true;
    if (acceptor_.joinable()) acceptor_.join();
    std::vector<std::thread> connections;
    {
      std::lock_guard lock(mutex_);
      connections.swap(connections_);
    }
    for (auto& t : connections) t.join();
    if (listen_fd_ >= 0) ::close(listen_fd_);
  }

  CallbackReceiver(const CallbackReceiver&) = delete;
  CallbackReceiver& operator=(const CallbackReceiver&) = delete;

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/hook"; }

  // Answers every request with `status` from now on.
  void AnswerWith(int status) {
    std::lock_guard lock(mutex_);
    status_ = status;
    until_.reset();
  }

  // Answers `status` until `until`, then 200.
  void AnswerUntil(int status, Clock::time_point until) {
    std::lock_guard lock(mutex_);
    status_ = 200;
    until_status_ = status;
    until_ = until;
  }

  // Answers the requests that come before `until` only after `delay` (then as chosen).
  void AnswerLateUntil(milliseconds delay, Clock::time_point until) {
    std::lock_guard lock(mutex_);
    delay_ = delay;
    delay_until_ = until;
  }

  std::vector<ReceivedRequest> Requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
  }

  // When the last request came (the epoch when none did).
  Clock::time_point LastRequestAt() const {
    std::lock_guard lock(mutex_);
    return requests_.empty() ? Clock::time_point() : requests_.back().at;
  }

 private:
  void AcceptLoop() {
    while (!stop_) {
      pollfd p{listen_fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;
      std::lock_guard lock(mutex_);
      connections_.emplace_back([this, fd] {
        Serve(fd);
        ::close(fd);
      });
    }
  }

  // Serves one connection until the peer closes it, it breaks HTTP, or the receiver stops.
  void Serve(int fd) {
    std::string buffer;
    char chunk[8192];
    while (!stop_) {
      // Every complete request in the buffer.
      for (;;) {
        const auto header_end = buffer.find("\r\n\r\n");
        if (header_end == std::string::npos) break;
        ReceivedRequest request;
        std::size_t content_length = 0;
        if (!ParseHead(std::string_view(buffer).substr(0, header_end), request, content_length)) {
          return;
        }
        const std::size_t total = header_end + 4 + content_length;
        if (buffer.size() < total) break;
        request.body = buffer.substr(header_end + 4, content_length);
        buffer.erase(0, total);
        request.at = Clock::now();
        int status = 200;
        milliseconds delay{0};
        {
          std::lock_guard lock(mutex_);
          status = until_ && request.at < *until_ ? until_status_ : status_;
          if (request.at < delay_until_) delay = delay_;
          request.answered = status;
          request.late = delay.count() > 0;
          requests_.push_back(std::move(request));
        }
        for (const auto end = Clock::now() + delay; Clock::now() < end && !stop_;) {
          std::this_thread::sleep_for(milliseconds(10));
        }
        const std::string answer = "HTTP/1.1 " + std::to_string(status) +
                                   " Test\r\nContent-Length: 0\r\nConnection: keep-alive\r\n\r\n";
        if (!SendAll(fd, answer)) return;
      }
      pollfd p{fd, POLLIN, 0};
      const int ready = ::poll(&p, 1, 50);
      if (ready == 0) continue;
      if (ready < 0) {
        if (errno == EINTR) continue;
        return;
      }
      const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
      if (n <= 0) return;  // closed or reset
      buffer.append(chunk, static_cast<std::size_t>(n));
    }
  }

  static bool ParseHead(std::string_view head, ReceivedRequest& request,
                        std::size_t& content_length) {
    auto line_end = head.find("\r\n");
    const std::string_view request_line = head.substr(0, line_end);
    const auto space1 = request_line.find(' ');
    const auto space2 = request_line.find(' ', space1 + 1);
    if (space1 == std::string_view::npos || space2 == std::string_view::npos) return false;
    request.method = std::string(request_line.substr(0, space1));
    request.target = std::string(request_line.substr(space1 + 1, space2 - space1 - 1));
    while (line_end != std::string_view::npos) {
      head.remove_prefix(line_end + 2);
      line_end = head.find("\r\n");
      const std::string_view line = head.substr(0, line_end);
      const auto colon = line.find(':');
      if (colon == std::string_view::npos) return false;
      const std::string name = Lower(line.substr(0, colon));
      const std::string value(Trim(line.substr(colon + 1)));
      auto [it, added] = request.headers.emplace(name, value);
      if (!added) it->second += ", " + value;
    }
    if (request.headers.count("transfer-encoding") != 0) return false;  // not sent by the gateway
    const std::string length = request.Header("content-length");
    if (!length.empty()) {
      const auto [end, ec] =
          std::from_chars(length.data(), length.data() + length.size(), content_length);
      if (ec != std::errc() || end != length.data() + length.size()) return false;
    }
    return true;
  }

  static bool SendAll(int fd, std::string_view data) {
    while (!data.empty()) {
      const ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }

  int listen_fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread acceptor_;

  mutable std::mutex mutex_;  // guards the fields below
  std::vector<std::thread> connections_;
  std::vector<ReceivedRequest> requests_;
  int status_ = 200;
  std::optional<Clock::time_point> until_;
  int until_status_ = 503;
  milliseconds delay_{0};
  Clock::time_point delay_until_;
};

// ---- Standard Webhooks, checked independently (OpenSSL) ---------------------------------------

std::string Base64(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()),
                                static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(std::max(n, 0)));
  return out;
}

// 32 random bytes: a callback secret's key.
std::string RandomKey() {
  std::string key(32, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(key.data()), static_cast<int>(key.size())) != 1) {
    ADD_FAILURE() << "RAND_bytes failed";
  }
  return key;
}

// The receiver's check: the webhook-signature header holds a "v1,<base64 HMAC-SHA256(key,
// id.timestamp.body)>" (compared in constant time), and the timestamp is within 5 minutes of
// now.
::testing::AssertionResult VerifyStandardWebhook(const std::string& key, const ReceivedRequest& r) {
  const std::string id = r.Header("webhook-id");
  const std::string timestamp = r.Header("webhook-timestamp");
  const std::string signatures = r.Header("webhook-signature");
  if (id.empty() || timestamp.empty() || signatures.empty()) {
    return ::testing::AssertionFailure()
           << "missing header: webhook-id '" << id << "', webhook-timestamp '" << timestamp
           << "', webhook-signature '" << signatures << "'";
  }
  std::int64_t seconds_value = 0;
  const auto [end, ec] =
      std::from_chars(timestamp.data(), timestamp.data() + timestamp.size(), seconds_value);
  if (ec != std::errc() || end != timestamp.data() + timestamp.size()) {
    return ::testing::AssertionFailure() << "webhook-timestamp is not an integer: " << timestamp;
  }
  const std::int64_t now_s =
      std::chrono::duration_cast<seconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  if (std::llabs(now_s - seconds_value) > 300) {
    return ::testing::AssertionFailure()
           << "webhook-timestamp " << seconds_value << " is more than 5 minutes from " << now_s;
  }
  const std::string signed_text = id + "." + timestamp + "." + r.body;
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_length = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(signed_text.data()), signed_text.size(), mac,
           &mac_length) == nullptr) {
    return ::testing::AssertionFailure() << "HMAC failed";
  }
  const std::string expected =
      "v1," + Base64(std::string_view(reinterpret_cast<const char*>(mac), mac_length));
  std::istringstream each(signatures);
  std::string candidate;
  while (each >> candidate) {
    if (candidate.size() == expected.size() &&
        CRYPTO_memcmp(candidate.data(), expected.data(), expected.size()) == 0) {
      return ::testing::AssertionSuccess();
    }
  }
  return ::testing::AssertionFailure()
         << "no signature in '" << signatures << "' matches " << expected << " for " << id;
}

// ---- Config ----------------------------------------------------------------------------------

struct CallbackDomain {
  std::string name;
  std::string user;
  std::string number;
  std::string callback_url{};  // empty: no [domains.callbacks]
  std::string secret_file = "callback-secret.txt";
  std::optional<int> max_age_ms{};
  std::optional<int> timeout_ms{};
  bool with_clerk = false;  // also user clerk, limited to `number`
};

// Fast sandboxes (sent, delivered, read 50, 100, 150 ms after the send), quick dispatch.
std::string CallbackConfig(const std::vector<CallbackDomain>& domains) {
  std::string toml =
      "[server]\nthreads = 2\nworkers = 4\n\n"
      "[dispatch]\nworkers = 2\npoll_interval_ms = 50\nlease_ms = 1000\nnumber_lease_ms = 1000\n"
      "base_backoff_ms = 50\nmax_backoff_ms = 500\n";
  const std::string hash = "\"" + std::string(kTestPasswordHash) + "\"\n";
  for (const auto& d : domains) {
    toml += "\n[[domains]]\nname = \"" + d.name + "\"\nack = \"provider\"\n";
    toml += "  [[domains.users]]\n  name = \"" + d.user + "\"\n  password_hash = " + hash;
    if (d.with_clerk) {
      toml += "  [[domains.users]]\n  name = \"clerk\"\n  password_hash = " + hash +
              "  numbers = [\"" + d.number + "\"]\n";
    }
    toml += "  [[domains.numbers]]\n  phone = \"" + d.number + "\"\n  provider = \"sandbox\"\n";
    toml +=
        "  [domains.numbers.sandbox]\n  sent_after_ms = 50\n  delivered_after_ms = 100\n"
        "  read_after_ms = 150\n";
    if (!d.callback_url.empty()) {
      toml += "  [domains.callbacks]\n  url = \"" + d.callback_url + "\"\n  secret_file = \"" +
              d.secret_file + "\"\n";
      if (d.max_age_ms) toml += "  max_age_ms = " + std::to_string(*d.max_age_ms) + "\n";
      if (d.timeout_ms) toml += "  timeout_ms = " + std::to_string(*d.timeout_ms) + "\n";
    }
  }
  return toml;
}

// Writes "whsec_<base64 of key>" to the gateway's directory; call it before Start().
::testing::AssertionResult WriteSecret(const GatewayProcess& gateway, const std::string& file,
                                       const std::string& key) {
  const std::string path = gateway.dir() + "/" + file;
  std::ofstream out(path, std::ios::binary);
  out << "whsec_" << Base64(key) << "\n";
  if (!out.flush()) return ::testing::AssertionFailure() << "cannot write " << path;
  return ::testing::AssertionSuccess();
}

// ---- Reading what arrived --------------------------------------------------------------------

// A received request read as a callback.
struct Callback {
  ReceivedRequest request;
  std::string id;  // webhook-id
  nlohmann::json body;
  std::string message_id;
  std::string status;

  bool delivered() const {
    return request.answered >= 200 && request.answered < 300 && !request.late;
  }
};

std::vector<Callback> ReadCallbacks(const std::vector<ReceivedRequest>& requests) {
  std::vector<Callback> out;
  for (const auto& r : requests) {
    Callback c;
    c.request = r;
    c.id = r.Header("webhook-id");
    c.body = nlohmann::json::parse(r.body, nullptr, false);
    if (c.body.is_object() && c.body.contains("data") && c.body["data"].is_object()) {
      c.message_id = c.body["data"].value("messageId", "");
      c.status = c.body["data"].value("status", "");
    }
    out.push_back(std::move(c));
  }
  return out;
}

// Every message of `ids` has had each of its kChanges answered 2xx.
bool AllDelivered(const std::vector<ReceivedRequest>& requests,
                  const std::vector<std::string>& ids) {
  std::map<std::string, std::set<std::string>> delivered;  // message -> webhook-ids
  for (const auto& c : ReadCallbacks(requests)) {
    if (c.delivered()) delivered[c.message_id].insert(c.id);
  }
  return std::all_of(ids.begin(), ids.end(), [&](const std::string& id) {
    return delivered[id].size() >= kChanges.size();
  });
}

std::string Describe(const std::vector<Callback>& callbacks) {
  std::string out;
  for (const auto& c : callbacks) {
    out += "\n  " + c.status + " " + c.id + " -> HTTP " + std::to_string(c.request.answered) +
           (c.request.late ? " (late)" : "");
  }
  return out.empty() ? " none" : out;
}

// What the receiver got for `message_id`, in the order it came: kChanges, each under its own
// webhook-id, each tried until answered 2xx (retries with the same id and the same bytes; with
// `retries_allowed` false, each once), the next one only after that; nothing else.
::testing::AssertionResult ArrivedInOrder(const std::vector<ReceivedRequest>& requests,
                                          const std::string& message_id, bool retries_allowed) {
  std::vector<Callback> mine;
  for (auto& c : ReadCallbacks(requests)) {
    if (c.message_id == message_id) mine.push_back(std::move(c));
  }
  const auto fail = [&](const std::string& why) {
    return ::testing::AssertionFailure()
           << "message " << message_id << ": " << why << "; received:" << Describe(mine);
  };
  std::size_t next = 0;
  std::set<std::string> seen;
  const Callback* current = nullptr;
  for (const auto& c : mine) {
    if (current == nullptr || c.id != current->id) {
      if (current != nullptr && !current->delivered()) {
        return fail(current->status + " was followed by " + c.status + " before it was answered");
      }
      if (next == kChanges.size()) return fail("a callback after read");
      if (c.status != kChanges[next]) return fail("want " + kChanges[next] + ", got " + c.status);
      if (c.id.empty() || !seen.insert(c.id).second) return fail("webhook-id reused: " + c.id);
      ++next;
    } else {
      if (current->delivered()) return fail(c.id + " posted again after a 2xx answer");
      if (!retries_allowed) return fail(c.id + " posted twice");
      if (c.request.body != current->request.body) {
        return fail("the retry of " + c.id + " has other bytes:\n" + current->request.body + "\n" +
                    c.request.body);
      }
    }
    current = &c;
  }
  if (next != kChanges.size() || current == nullptr || !current->delivered()) {
    return fail("not every change arrived");
  }
  return ::testing::AssertionSuccess();
}

// Polls `done` every 20 ms until it holds or `timeout` passes.
bool WaitUntil(const std::function<bool()>& done, milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (!done()) {
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(milliseconds(20));
  }
  return true;
}

// ---- The fixture -----------------------------------------------------------------------------

class CallbacksTestBase {
 protected:
  // A gateway with `domains` (their secret files written, keys from KeyOf), on `storage_url`,
  // not started; `config` replaces CallbackConfig(domains) when set.
  ::testing::AssertionResult PrepareGateway(const std::vector<CallbackDomain>& domains,
                                            const std::string& storage_url = "",
                                            const std::string& config = "") {
    gateway_ = std::make_unique<GatewayProcess>(config.empty() ? CallbackConfig(domains) : config,
                                                storage_url);
    for (const auto& d : domains) {
      if (d.callback_url.empty()) continue;
      auto written = WriteSecret(*gateway_, d.secret_file, KeyOf(d.secret_file));
      if (!written) return written;
    }
    return ::testing::AssertionSuccess();
  }

  ::testing::AssertionResult StartGateway(const std::vector<CallbackDomain>& domains,
                                          const std::string& storage_url = "") {
    auto prepared = PrepareGateway(domains, storage_url);
    if (!prepared) return prepared;
    return gateway_->Start();
  }

  // The key of a secret file (one per file, made on first use).
  const std::string& KeyOf(const std::string& secret_file) {
    auto& key = keys_[secret_file];
    if (key.empty()) key = RandomKey();
    return key;
  }

  std::string BaseUrl() const { return gateway_->base_url(); }

  // Sends one message (ack "provider": 200 accepted); its messageId ("" on failure).
  std::string Send(int n, const Credentials& who = kDemo, std::string_view domain = "default",
                   std::string_view number = kNumber) {
    nlohmann::json body = SeedRequest(number);
    body["customerPhoneNumber"] = kCustomer;
    body["bodyData"] = {std::to_string(n)};
    const HttpResponse r = client_.PostJson(SendUrl(BaseUrl(), domain), body.dump(), who);
    EXPECT_EQ(r.status, 200) << r.Describe();
    EXPECT_EQ(r.Json().value("status", ""), "accepted") << r.Describe();
    return r.Json().value("messageId", "");
  }

  std::vector<std::string> SendSome(int count, const Credentials& who = kDemo,
                                    std::string_view domain = "default",
                                    std::string_view number = kNumber) {
    std::vector<std::string> ids;
    for (int i = 0; i < count; ++i) {
      const std::string id = Send(i, who, domain, number);
      if (!id.empty()) ids.push_back(id);
    }
    EXPECT_EQ(ids.size(), static_cast<std::size_t>(count));
    return ids;
  }

  HttpResponse ListCallbacks(std::string_view query, const Credentials& who = kDemo,
                             std::string_view domain = "default") {
    std::string url = BaseUrl() + "/livechat/" + std::string(domain) + "/callbacks";
    if (!query.empty()) url += "?" + std::string(query);
    return client_.Get(url, who);
  }

  // The callbacks of a 200 answer to `query` (an empty array, with a failure, otherwise).
  nlohmann::json Listed(std::string_view query, const Credentials& who = kDemo,
                        std::string_view domain = "default") {
    const HttpResponse r = ListCallbacks(query, who, domain);
    const nlohmann::json j = r.Json();
    if (r.status != 200 || !j.is_object() || !j.contains("callbacks") ||
        !j["callbacks"].is_array()) {
      ADD_FAILURE() << "GET callbacks?" << query << ": " << r.Describe();
      return nlohmann::json::array();
    }
    return j["callbacks"];
  }

  // Waits until no callback of the domain is pending and `count` are in `state`.
  ::testing::AssertionResult WaitForListed(std::size_t count, const std::string& state,
                                           milliseconds timeout, const Credentials& who = kDemo,
                                           std::string_view domain = "default") {
    nlohmann::json last;
    const bool done = WaitUntil(
        [&] {
          last = Listed("limit=1000", who, domain);
          std::size_t in_state = 0;
          for (const auto& c : last) {
            if (c.value("state", "") == "pending") return false;
            if (c.value("state", "") == state) ++in_state;
          }
          return in_state == count;
        },
        timeout);
    if (done) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << "want " << count << " callbacks " << state
                                         << " and none pending; listed " << last.dump();
  }

  // Waits until the receiver has had every change of every message of `ids` answered 2xx.
  ::testing::AssertionResult WaitForDelivered(const CallbackReceiver& receiver,
                                              const std::vector<std::string>& ids,
                                              milliseconds timeout) {
    if (WaitUntil([&] { return AllDelivered(receiver.Requests(), ids); }, timeout)) {
      return ::testing::AssertionSuccess();
    }
    const auto requests = receiver.Requests();
    return ::testing::AssertionFailure() << "not every change delivered within " << timeout.count()
                                         << " ms; received:" << Describe(ReadCallbacks(requests));
  }

  void ExpectInOrder(const CallbackReceiver& receiver, const std::vector<std::string>& ids,
                     bool retries_allowed) {
    const auto requests = receiver.Requests();
    for (const auto& id : ids) EXPECT_TRUE(ArrivedInOrder(requests, id, retries_allowed));
  }

  std::map<std::string, std::string> keys_;
  std::unique_ptr<GatewayProcess> gateway_;
  HttpClient client_;
};

// ---- 1. Once, in order, signed; on each engine ------------------------------------------------

class CallbacksEngineTest : public CallbacksTestBase,
                            public ::testing::TestWithParam<StorageEngine> {
 protected:
  CallbacksEngineTest() : database_(GetParam()) {}
  // The gateway goes before its database and receiver.
  ~CallbacksEngineTest() override { gateway_.reset(); }

  // The receiver answers 503 while the messages reach `read`; the gateway is stopped (`kill`:
  // SIGKILL, else SIGTERM) and started again on the same database; then the receiver recovers.
  void RestartWhileReceiverDown(bool kill) {
    receiver_.AnswerWith(503);
    // A short timeout, for a short lease should a SIGKILL catch a post on its way.
    ASSERT_TRUE(StartGateway({{.name = "default",
                               .user = "demo",
                               .number = std::string(kNumber),
                               .callback_url = receiver_.url(),
                               .timeout_ms = 1000}},
                             database_.url()));
    const std::vector<std::string> ids = SendSome(3);
    ASSERT_EQ(ids.size(), 3u);
    EXPECT_TRUE(
        WaitForAllMessagesStatus(client_, BaseUrl(), "default", ids, kDemo, "read", seconds(10)));
    // Each message's first change has been tried (and refused).
    ASSERT_TRUE(WaitUntil(
        [&] {
          std::set<std::string> tried;
          for (const auto& c : ReadCallbacks(receiver_.Requests())) tried.insert(c.message_id);
          return std::all_of(ids.begin(), ids.end(),
                             [&](const std::string& id) { return tried.count(id) != 0; });
        },
        seconds(10)));
    if (kill) {
      // Between attempts (retries come 1 s and more apart): no post and no record on their way,
      // whose lease would hold the callback until it ends.
      ASSERT_TRUE(
          WaitUntil([&] { return Clock::now() - receiver_.LastRequestAt() >= milliseconds(300); },
                    seconds(10)));
      const ExitStatus killed = gateway_->Kill();
      EXPECT_TRUE(killed.signaled) << killed.ToString();
    } else {
      const ExitStatus stopped = gateway_->Stop();
      EXPECT_TRUE(stopped.ExitedWith(0)) << stopped.ToString();
    }
    const std::size_t before_restart = receiver_.Requests().size();
    for (const auto& c : ReadCallbacks(receiver_.Requests())) {
      EXPECT_EQ(c.request.answered, 503);
    }
    ASSERT_TRUE(gateway_->Start());
    receiver_.AnswerWith(200);
    // 45 s: should a SIGKILL still catch a post on its way, its lease (2 x timeout + 30 s) ends.
    ASSERT_TRUE(WaitForDelivered(receiver_, ids, seconds(45)));
    ASSERT_TRUE(WaitForListed(12, "delivered", seconds(10)));
    ExpectInOrder(receiver_, ids, /*retries_allowed=*/true);
    EXPECT_GT(receiver_.Requests().size(), before_restart);
    const std::string& key = KeyOf("callback-secret.txt");
    for (const auto& r : receiver_.Requests()) EXPECT_TRUE(VerifyStandardWebhook(key, r));
  }

  EngineDatabase database_;
  CallbackReceiver receiver_;
};

TEST_P(CallbacksEngineTest, EveryChangeArrivesOnceInOrderSigned) {
  ASSERT_TRUE(StartGateway({{.name = "default",
                             .user = "demo",
                             .number = std::string(kNumber),
                             .callback_url = receiver_.url()}},
                           database_.url()));
  const std::vector<std::string> ids = SendSome(3);
  ASSERT_EQ(ids.size(), 3u);
  ASSERT_TRUE(WaitForDelivered(receiver_, ids, seconds(15)));
  // Recorded as delivered, each after one attempt: nothing more will come.
  ASSERT_TRUE(WaitForListed(12, "delivered", seconds(10)));
  for (const auto& c : Listed("limit=1000")) {
    EXPECT_EQ(c.value("attempts", 0), 1) << c.dump();
    EXPECT_TRUE(c["lastError"].is_null()) << c.dump();
    EXPECT_TRUE(c["finishedAt"].is_string()) << c.dump();
  }
  const auto requests = receiver_.Requests();
  ASSERT_EQ(requests.size(), 12u) << Describe(ReadCallbacks(requests));
  ExpectInOrder(receiver_, ids, /*retries_allowed=*/false);

  const std::string& key = KeyOf("callback-secret.txt");
  std::set<std::string> webhook_ids;
  std::map<std::string, nlohmann::json> messages;
  for (const auto& id : ids) {
    const HttpResponse r = client_.Get(MessageUrl(BaseUrl(), "default", id), kDemo);
    ASSERT_EQ(r.status, 200) << r.Describe();
    messages[id] = r.Json();
    EXPECT_EQ(messages[id].value("status", ""), "read") << r.Describe();
  }
  for (const auto& c : ReadCallbacks(requests)) {
    const ReceivedRequest& r = c.request;
    EXPECT_EQ(r.method, "POST");
    EXPECT_EQ(r.target, "/hook");
    EXPECT_EQ(r.Header("content-type"), "application/json");
    EXPECT_TRUE(VerifyStandardWebhook(key, r));
    // The check refuses a body changed by one byte, and another key.
    ReceivedRequest tampered = r;
    tampered.body.back() = tampered.body.back() == '}' ? ' ' : '}';
    EXPECT_FALSE(VerifyStandardWebhook(key, tampered));
    EXPECT_FALSE(VerifyStandardWebhook(RandomKey(), r));
    EXPECT_TRUE(webhook_ids.insert(c.id).second) << "webhook-id repeated: " << c.id;

    ASSERT_TRUE(c.body.is_object()) << r.body;
    EXPECT_EQ(c.body.value("type", ""), "message.status.updated") << r.body;
    const nlohmann::json& data = c.body["data"];
    ASSERT_TRUE(messages.count(c.message_id)) << r.body;
    const nlohmann::json& m = messages[c.message_id];
    EXPECT_EQ(data.value("domain", ""), "default") << r.body;
    EXPECT_EQ(data.value("servicePhoneNumber", ""), m.value("servicePhoneNumber", "?")) << r.body;
    EXPECT_EQ(data.value("customerPhoneNumber", ""), m.value("customerPhoneNumber", "?")) << r.body;
    EXPECT_EQ(data["providerMessageId"], m["providerMessageId"]) << r.body;
    EXPECT_TRUE(data["deliveryError"].is_null()) << r.body;
    EXPECT_EQ(c.body.value("timestamp", ""), data.value("at", "?")) << r.body;
    // The change is the message's history entry of that status, at that time, by that source.
    const std::string source = c.status == "accepted" ? "gateway" : "sandbox";
    EXPECT_EQ(data.value("source", ""), source) << r.body;
    bool in_history = false;
    for (const auto& h : m["history"]) {
      in_history = in_history || (h.value("status", "") == c.status &&
                                  h.value("at", "") == data.value("at", "?") &&
                                  h.value("source", "gateway") == source);
    }
    EXPECT_TRUE(in_history) << r.body << "\nnot in the history of " << m.dump();
  }
  // The list names the same callbacks.
  std::set<std::string> listed_ids;
  for (const auto& c : Listed("limit=1000")) listed_ids.insert(c.value("id", ""));
  EXPECT_EQ(listed_ids, webhook_ids);
}

// ---- 4. No loss across a restart; on each engine -----------------------------------------------

TEST_P(CallbacksEngineTest, NoChangeLostAcrossSigtermRestart) {
  RestartWhileReceiverDown(/*kill=*/false);
}

TEST_P(CallbacksEngineTest, NoChangeLostAcrossSigkillRestart) {
  RestartWhileReceiverDown(/*kill=*/true);
}

INSTANTIATE_TEST_SUITE_P(Engines, CallbacksEngineTest, kStorageEngines, StorageEngineName);

// ---- SQLite only ------------------------------------------------------------------------------

class CallbacksTest : public CallbacksTestBase, public ::testing::Test {
 protected:
  ~CallbacksTest() override { gateway_.reset(); }

  CallbackReceiver receiver_;
};

// 2. 503 to everything for 3 s, then 200: every change arrives, in order, retried with the
// same webhook-id and bytes; the list counts the attempts.
TEST_F(CallbacksTest, ReceiverThatFailsThenRecoversGetsEveryChange) {
  ASSERT_TRUE(StartGateway({{.name = "default",
                             .user = "demo",
                             .number = std::string(kNumber),
                             .callback_url = receiver_.url()}}));
  receiver_.AnswerUntil(503, Clock::now() + seconds(3));
  const std::vector<std::string> ids = SendSome(3);
  ASSERT_EQ(ids.size(), 3u);
  EXPECT_TRUE(
      WaitForAllMessagesStatus(client_, BaseUrl(), "default", ids, kDemo, "read", seconds(10)));
  // Retries 1, 2, 4 s apart: the last refused one may be followed by one 4 s later.
  ASSERT_TRUE(WaitForDelivered(receiver_, ids, seconds(25)));
  ASSERT_TRUE(WaitForListed(12, "delivered", seconds(10)));
  ExpectInOrder(receiver_, ids, /*retries_allowed=*/true);
  EXPECT_TRUE(Listed("status=pending").empty());
  EXPECT_TRUE(Listed("status=failed").empty());

  const auto requests = receiver_.Requests();
  std::map<std::string, int> posts;  // webhook-id -> requests
  for (const auto& c : ReadCallbacks(requests)) ++posts[c.id];
  const nlohmann::json delivered = Listed("status=delivered&limit=1000");
  ASSERT_EQ(delivered.size(), 12u) << delivered.dump();
  for (const auto& c : delivered) {
    EXPECT_EQ(c.value("state", ""), "delivered") << c.dump();
    EXPECT_EQ(c.value("attempts", 0), posts[c.value("id", "")]) << c.dump();
    // The first change of each message came while the receiver failed.
    if (c.value("status", "") == "accepted") {
      EXPECT_GT(c.value("attempts", 0), 1) << c.dump();
    }
  }
  const std::string& key = KeyOf("callback-secret.txt");
  for (const auto& r : requests) EXPECT_TRUE(VerifyStandardWebhook(key, r));
}

// A receiver that does not answer within timeout_ms is tried again with the same webhook-id
// and bytes; the change after it waits.
TEST_F(CallbacksTest, NoAnswerWithinTheTimeoutIsRetried) {
  ASSERT_TRUE(StartGateway({{.name = "default",
                             .user = "demo",
                             .number = std::string(kNumber),
                             .callback_url = receiver_.url(),
                             .timeout_ms = 300}}));
  receiver_.AnswerLateUntil(milliseconds(1000), Clock::now() + seconds(2));
  const std::vector<std::string> ids = SendSome(1);
  ASSERT_EQ(ids.size(), 1u);
  ASSERT_TRUE(WaitForDelivered(receiver_, ids, seconds(20)));
  ASSERT_TRUE(WaitForListed(4, "delivered", seconds(10)));
  ExpectInOrder(receiver_, ids, /*retries_allowed=*/true);
  const auto callbacks = ReadCallbacks(receiver_.Requests());
  ASSERT_FALSE(callbacks.empty());
  EXPECT_TRUE(callbacks.front().request.late) << Describe(callbacks);
  for (const auto& c : Listed("")) {
    if (c.value("status", "") == "accepted") {
      EXPECT_GE(c.value("attempts", 0), 2) << c.dump();
    }
  }
}

// 3. A receiver that always answers 500, max_age_ms 1000: the callbacks are given up (failed,
// with the reason) and the messages are not held back.
TEST_F(CallbacksTest, GivesUpAfterMaxAgeWithoutBlockingSends) {
  receiver_.AnswerWith(500);
  ASSERT_TRUE(StartGateway({{.name = "default",
                             .user = "demo",
                             .number = std::string(kNumber),
                             .callback_url = receiver_.url(),
                             .max_age_ms = 1000}}));
  const std::vector<std::string> ids = SendSome(2);
  ASSERT_EQ(ids.size(), 2u);
  EXPECT_TRUE(
      WaitForAllMessagesStatus(client_, BaseUrl(), "default", ids, kDemo, "read", seconds(10)));
  ASSERT_TRUE(WaitForListed(8, "failed", seconds(15)));
  const nlohmann::json failed = Listed("status=failed");
  ASSERT_EQ(failed.size(), 8u) << failed.dump();
  std::map<std::string, std::set<std::string>> statuses;  // message -> statuses given up
  for (const auto& c : failed) {
    EXPECT_EQ(c.value("state", ""), "failed") << c.dump();
    EXPECT_GE(c.value("attempts", 0), 1) << c.dump();
    EXPECT_NE(c.value("lastError", "").find("HTTP 500"), std::string::npos) << c.dump();
    EXPECT_TRUE(c["finishedAt"].is_string()) << c.dump();
    statuses[c.value("messageId", "")].insert(c.value("status", ""));
  }
  for (const auto& id : ids) {
    EXPECT_EQ(statuses[id], std::set<std::string>(kChanges.begin(), kChanges.end())) << id;
  }
  EXPECT_TRUE(Listed("status=delivered").empty());
  // Each was tried, in order, before it was given up.
  const auto callbacks = ReadCallbacks(receiver_.Requests());
  for (const auto& c : callbacks) EXPECT_EQ(c.request.answered, 500);
  for (const auto& id : ids) {
    std::vector<std::string> tried;
    for (const auto& c : callbacks) {
      if (c.message_id == id && (tried.empty() || tried.back() != c.status)) {
        tried.push_back(c.status);
      }
    }
    EXPECT_EQ(tried, kChanges) << id << Describe(callbacks);
  }
}

// 5. GET /livechat/{domain}/callbacks: refusals, the limited user, and a walk through pages.
TEST_F(CallbacksTest, ListRefusesBadQueriesAndPagesWithoutRepeats) {
  ASSERT_TRUE(StartGateway({{.name = "default",
                             .user = "demo",
                             .number = std::string(kNumber),
                             .callback_url = receiver_.url(),
                             .with_clerk = true}}));
  const std::vector<std::string> ids = SendSome(3);
  ASSERT_EQ(ids.size(), 3u);
  ASSERT_TRUE(WaitForDelivered(receiver_, ids, seconds(15)));
  ASSERT_TRUE(WaitForListed(12, "delivered", seconds(10)));

  EXPECT_TRUE(IsError(ListCallbacks("status=bogus"), 400, "status"));
  EXPECT_TRUE(IsError(ListCallbacks("status="), 400, "status"));
  EXPECT_TRUE(IsError(ListCallbacks("limit=0"), 400, "limit"));
  EXPECT_TRUE(IsError(ListCallbacks("limit=1001"), 400, "limit"));
  EXPECT_TRUE(IsError(ListCallbacks("limit=-1"), 400, "limit"));
  EXPECT_TRUE(IsError(ListCallbacks("limit=ten"), 400, "limit"));
  EXPECT_TRUE(IsError(ListCallbacks("cursor=abc"), 400, "cursor"));
  EXPECT_TRUE(IsError(ListCallbacks("messageId=" + ids[0]), 400, "messageId"));
  EXPECT_TRUE(IsError(ListCallbacks("status=pending&status=failed"), 400, "once"));
  EXPECT_TRUE(IsError(ListCallbacks("limit=5&limit=5"), 400, "once"));
  EXPECT_TRUE(IsError(ListCallbacks("limit=5", kClerk), 403, "clerk"));
  EXPECT_EQ(client_.Get(BaseUrl() + "/livechat/default/callbacks").status, 401);
  EXPECT_EQ(ListCallbacks("", {"demo", "wrong password"}).status, 401);

  const nlohmann::json all = Listed("");  // default limit 100
  ASSERT_EQ(all.size(), 12u) << all.dump();
  // Newest first: each message's changes from read back to accepted.
  for (const auto& id : ids) {
    std::vector<std::string> order;
    for (const auto& c : all) {
      if (c.value("messageId", "") == id) order.push_back(c.value("status", ""));
    }
    EXPECT_EQ(order, std::vector<std::string>(kChanges.rbegin(), kChanges.rend())) << id;
  }
  for (const auto& c : all) {
    for (const char* field : {"id", "messageId", "status", "at", "state", "createdAt"}) {
      EXPECT_TRUE(c.contains(field) && c[field].is_string()) << field << " in " << c.dump();
    }
    EXPECT_TRUE(c.contains("attempts") && c["attempts"].is_number_integer()) << c.dump();
    EXPECT_TRUE(c.contains("lastError") && c.contains("finishedAt")) << c.dump();
  }

  // Pages of 5: 5, 5, 2, the same callbacks in the same order, none twice.
  std::vector<std::string> walked;
  std::vector<std::size_t> sizes;
  std::string cursor;
  for (int page = 0; page < 10; ++page) {
    const HttpResponse r = ListCallbacks(cursor.empty() ? "limit=5" : "limit=5&cursor=" + cursor);
    ASSERT_EQ(r.status, 200) << r.Describe();
    const nlohmann::json j = r.Json();
    EXPECT_EQ(j.value("result", false), true) << r.Describe();
    EXPECT_TRUE(j["error"].is_null()) << r.Describe();
    sizes.push_back(j["callbacks"].size());
    for (const auto& c : j["callbacks"]) walked.push_back(c.value("id", ""));
    if (j["next"].is_null()) break;
    ASSERT_TRUE(j["next"].is_string()) << r.Describe();
    cursor = j["next"].get<std::string>();
  }
  EXPECT_EQ(sizes, (std::vector<std::size_t>{5, 5, 2}));
  std::vector<std::string> expected;
  for (const auto& c : all) expected.push_back(c.value("id", ""));
  EXPECT_EQ(walked, expected);
  EXPECT_EQ(std::set<std::string>(walked.begin(), walked.end()).size(), walked.size());

  // A page of exactly what is left has no next; a status filter pages too.
  const HttpResponse exact = ListCallbacks("limit=12");
  ASSERT_EQ(exact.status, 200) << exact.Describe();
  EXPECT_EQ(exact.Json()["callbacks"].size(), 12u);
  EXPECT_TRUE(exact.Json()["next"].is_null()) << exact.Describe();
  const HttpResponse first = ListCallbacks("status=delivered&limit=11");
  ASSERT_EQ(first.status, 200) << first.Describe();
  ASSERT_TRUE(first.Json()["next"].is_string()) << first.Describe();
  const nlohmann::json rest =
      Listed("status=delivered&limit=11&cursor=" + first.Json()["next"].get<std::string>());
  ASSERT_EQ(rest.size(), 1u) << rest.dump();
  EXPECT_EQ(rest[0].value("id", ""), expected.back());
  EXPECT_TRUE(Listed("status=failed").empty());
  EXPECT_TRUE(Listed("status=pending").empty());
}

// 6. Domains without [domains.callbacks] get none; two domains with it get their own only.
TEST_F(CallbacksTest, OnlyDomainsWithCallbacksGetThemAndOnlyTheirOwn) {
  CallbackReceiver beta_receiver;
  ASSERT_TRUE(StartGateway({{.name = "default",
                             .user = "demo",
                             .number = std::string(kNumber),
                             .callback_url = receiver_.url()},
                            {.name = "beta",
                             .user = "beta",
                             .number = std::string(kBetaNumber),
                             .callback_url = beta_receiver.url(),
                             .secret_file = "beta-secret.txt"},
                            {.name = "acme", .user = "acme", .number = std::string(kAcmeNumber)}}));
  const std::vector<std::string> acme_ids = SendSome(2, kAcme, "acme", kAcmeNumber);
  const std::vector<std::string> ids = SendSome(2);
  const std::vector<std::string> beta_ids = SendSome(2, kBeta, "beta", kBetaNumber);
  ASSERT_EQ(acme_ids.size() + ids.size() + beta_ids.size(), 6u);
  EXPECT_TRUE(
      WaitForAllMessagesStatus(client_, BaseUrl(), "acme", acme_ids, kAcme, "read", seconds(10)));
  ASSERT_TRUE(WaitForDelivered(receiver_, ids, seconds(15)));
  ASSERT_TRUE(WaitForDelivered(beta_receiver, beta_ids, seconds(15)));
  ASSERT_TRUE(WaitForListed(8, "delivered", seconds(10)));
  ASSERT_TRUE(WaitForListed(8, "delivered", seconds(10), kBeta, "beta"));

  const HttpResponse acme = ListCallbacks("", kAcme, "acme");
  ASSERT_EQ(acme.status, 200) << acme.Describe();
  EXPECT_EQ(acme.Json()["callbacks"], nlohmann::json::array()) << acme.Describe();
  EXPECT_TRUE(acme.Json()["next"].is_null()) << acme.Describe();

  const auto check = [&](const CallbackReceiver& receiver, const std::string& domain,
                         const std::vector<std::string>& own, const std::string& key) {
    const auto requests = receiver.Requests();
    EXPECT_EQ(requests.size(), 8u) << domain << Describe(ReadCallbacks(requests));
    for (const auto& c : ReadCallbacks(requests)) {
      EXPECT_EQ(c.body["data"].value("domain", ""), domain) << c.request.body;
      EXPECT_NE(std::find(own.begin(), own.end(), c.message_id), own.end()) << c.request.body;
      EXPECT_TRUE(VerifyStandardWebhook(key, c.request)) << domain;
    }
    for (const auto& id : own) EXPECT_TRUE(ArrivedInOrder(requests, id, false));
  };
  check(receiver_, "default", ids, KeyOf("callback-secret.txt"));
  check(beta_receiver, "beta", beta_ids, KeyOf("beta-secret.txt"));
  // Each domain signs with its own secret.
  const auto beta_requests = beta_receiver.Requests();
  ASSERT_FALSE(beta_requests.empty());
  EXPECT_FALSE(VerifyStandardWebhook(KeyOf("callback-secret.txt"), beta_requests.front()));
}

// A message the gateway fails (Meta refuses it for good: the fake-graph's permanent error) is a
// `failed` callback from the gateway, with the message's deliveryError; an accepted one is an
// `accepted` callback with Meta's wamid (the fake posts no status webhooks here).
TEST_F(CallbacksTest, GatewayFailureCarriesTheDeliveryError) {
  FakeGraphProcess fake("TEST_TOKEN");
  ASSERT_TRUE(fake.Start());
  ASSERT_TRUE(fake.SetFaults(nlohmann::json::array({{{"path", "messages"},
                                                     {"match_template", "t_132001"},
                                                     {"action", "error"},
                                                     {"code", 132001},
                                                     {"details", "no such template"}}})));
  MetaTestDomain meta;
  meta.base_url = fake.base_url();
  meta.timeout_ms = 5000;
  std::string config = MetaTestConfig(meta);
  config += "  [domains.callbacks]\n  url = \"" + receiver_.url() +
            "\"\n  secret_file = \"callback-secret.txt\"\n";
  ASSERT_TRUE(PrepareGateway({{.name = "default",
                               .user = "demo",
                               .number = std::string(kNumber),
                               .callback_url = receiver_.url()}},
                             "", config));
  ASSERT_TRUE(WriteTokenFile(*gateway_, "TEST_TOKEN"));
  ASSERT_TRUE(gateway_->Start()) << config;

  nlohmann::json failing = SeedRequest(kNumber);
  failing["templateName"] = "t_132001";
  const HttpResponse refused =
      client_.PostJson(SendUrl(BaseUrl(), "default"), failing.dump(), kDemo);
  EXPECT_EQ(refused.status, 422) << refused.Describe();
  const std::string failed_id = refused.Json().value("messageId", "");
  ASSERT_FALSE(failed_id.empty()) << refused.Describe();
  const std::string accepted_id = Send(1);
  ASSERT_FALSE(accepted_id.empty());

  ASSERT_TRUE(WaitUntil(
      [&] {
        std::size_t delivered = 0;
        for (const auto& c : ReadCallbacks(receiver_.Requests())) delivered += c.delivered();
        return delivered >= 2;
      },
      seconds(15)))
      << Describe(ReadCallbacks(receiver_.Requests()));
  ASSERT_TRUE(WaitForListed(2, "delivered", seconds(10)));
  const auto callbacks = ReadCallbacks(receiver_.Requests());
  ASSERT_EQ(callbacks.size(), 2u) << Describe(callbacks);
  const std::string& key = KeyOf("callback-secret.txt");
  for (const auto& c : callbacks) {
    EXPECT_TRUE(VerifyStandardWebhook(key, c.request));
    const HttpResponse r = client_.Get(MessageUrl(BaseUrl(), "default", c.message_id), kDemo);
    ASSERT_EQ(r.status, 200) << r.Describe();
    const nlohmann::json m = r.Json();
    const nlohmann::json& data = c.body["data"];
    EXPECT_EQ(data.value("status", ""), m.value("status", "?")) << c.request.body;
    EXPECT_EQ(data.value("source", ""), "gateway") << c.request.body;
    EXPECT_EQ(data["providerMessageId"], m["providerMessageId"]) << c.request.body;
    EXPECT_EQ(data["deliveryError"], m["deliveryError"]) << c.request.body << "\n" << m.dump();
    if (c.message_id == failed_id) {
      EXPECT_EQ(c.status, "failed") << c.request.body;
      ASSERT_TRUE(data["deliveryError"].is_object()) << c.request.body;
      EXPECT_EQ(data["deliveryError"].value("code", ""), "132001") << c.request.body;
      EXPECT_NE(data["deliveryError"].value("message", "").find("no such template"),
                std::string::npos)
          << c.request.body;
    } else {
      EXPECT_EQ(c.message_id, accepted_id) << c.request.body;
      EXPECT_EQ(c.status, "accepted") << c.request.body;
      EXPECT_TRUE(data["providerMessageId"].is_string()) << c.request.body;
      EXPECT_TRUE(data["deliveryError"].is_null()) << c.request.body;
    }
  }
}

TEST_F(CallbacksTest, ACustomersMessageIsPostedAsMessageReceived) {
  ASSERT_TRUE(StartGateway({{.name = "default",
                             .user = "demo",
                             .number = std::string(kNumber),
                             .callback_url = receiver_.url()}}));
  const HttpResponse wrote = PostSandboxCustomerMessage(client_, BaseUrl(), "default", kDemo,
                                                        kNumber, kCustomer, "Ho una domanda");
  ASSERT_EQ(wrote.status, 202) << wrote.Describe();
  const std::string wamid = wrote.Json().value("messageId", "");
  ASSERT_TRUE(WaitUntil(
      [&] {
        for (const auto& c : ReadCallbacks(receiver_.Requests())) {
          if (c.delivered()) return true;
        }
        return false;
      },
      seconds(15)))
      << Describe(ReadCallbacks(receiver_.Requests()));
  const auto callbacks = ReadCallbacks(receiver_.Requests());
  ASSERT_EQ(callbacks.size(), 1u) << Describe(callbacks);
  const nlohmann::json& body = callbacks[0].body;
  EXPECT_EQ(body["type"], "message.received");
  const nlohmann::json& data = body["data"];
  EXPECT_EQ(data["domain"], "default");
  EXPECT_EQ(data["messageId"], wamid);
  EXPECT_EQ(data["messageType"], "TEXT");
  EXPECT_EQ(data["text"], "Ho una domanda");
  EXPECT_EQ(data["customerPhoneNumber"], kCustomer);
  EXPECT_EQ(data["servicePhoneNumber"], kNumber);
  EXPECT_EQ(data["chatId"].get<std::string>().rfind("CHAT_DEFAULT_", 0), 0u) << body.dump();
  EXPECT_TRUE(data["media"].is_null());
  EXPECT_EQ(body["timestamp"], data["at"]);
  // Signed as every callback is, and listed with its type.
  EXPECT_TRUE(VerifyStandardWebhook(KeyOf("callback-secret.txt"), callbacks[0].request));
  ASSERT_TRUE(WaitForListed(1, "delivered", seconds(10)));
  const nlohmann::json listed = Listed("");
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0]["type"], "message.received");
  EXPECT_TRUE(listed[0]["status"].is_null());
  EXPECT_EQ(listed[0]["messageId"], wamid);
}

}  // namespace
}  // namespace socialgate::testing
