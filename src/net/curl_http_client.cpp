#include <algorithm>
#include <cstdio>
#include <cstring>
#include <exception>
#include <future>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include <curl/curl.h>
#include <spdlog/spdlog.h>

#include "net/http_client.hpp"
#include "util/thread_name.hpp"

namespace socialgate::net {

std::string_view ClientResponse::Header(std::string_view lower_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lower_name) return value;
  }
  return {};
}

core::Result<ClientResponse> HttpClient::Perform(ClientRequest request) {
  std::promise<core::Result<ClientResponse>> answer;
  auto answered = answer.get_future();
  Start(std::move(request),
        [&answer](core::Result<ClientResponse> result) { answer.set_value(std::move(result)); });
  return answered.get();
}

namespace {

using core::ErrorCode;
using core::MakeError;

struct EasyCleanup {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
using EasyHandle = std::unique_ptr<CURL, EasyCleanup>;

struct SlistFree {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
struct MimeFree {
  void operator()(curl_mime* m) const { curl_mime_free(m); }
};

struct Collected {
  ClientResponse* response;
  std::size_t limit;
  bool overflow = false;
};

std::size_t OnBody(char* data, std::size_t size, std::size_t count, void* user) {
  auto* c = static_cast<Collected*>(user);
  const std::size_t n = size * count;
  if (c->response->body.size() + n > c->limit) {
    c->overflow = true;
    return 0;  // makes curl fail with CURLE_WRITE_ERROR
  }
  c->response->body.append(data, n);
  return n;
}

// A multipart part libcurl reads through a callback, so a part of megabytes (a media file) is
// not copied. libcurl may rewind it to send the request again; OnAboutToSend then decides
// whether the request may be re-sent, for every kind of body alike.
struct PartReader {
  const std::string* data;
  std::size_t pos = 0;
};

std::size_t ReadPart(char* buffer, std::size_t size, std::size_t count, void* user) {
  auto* r = static_cast<PartReader*>(user);
  const std::size_t n = std::min(size * count, r->data->size() - r->pos);
  std::memcpy(buffer, r->data->data() + r->pos, n);
  r->pos += n;
  return n;
}

int SeekPart(void* user, curl_off_t offset, int origin) {
  auto* r = static_cast<PartReader*>(user);
  if (offset != 0 || origin != SEEK_SET) return CURL_SEEKFUNC_CANTSEEK;  // only rewinds
  r->pos = 0;
  return CURL_SEEKFUNC_OK;
}

std::size_t OnHeader(char* data, std::size_t size, std::size_t count, void* user) {
  auto* c = static_cast<Collected*>(user);
  const std::size_t n = size * count;
  std::string_view line(data, n);
  if (line.rfind("HTTP/", 0) == 0) {
    c->response->headers.clear();  // a new response (after 100 Continue or a redirect)
    return n;
  }
  const auto colon = line.find(':');
  if (colon == std::string_view::npos) return n;
  std::string name(line.substr(0, colon));
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) {
    value.remove_suffix(1);
  }
  c->response->headers.emplace_back(std::move(name), std::string(value));
  return n;
}

// Calls a request's completion. A completion must not throw (http_client.hpp); one that does
// is logged and the loop goes on: an exception leaving the loop's thread would end the process,
// and with it every request in flight.
void Answer(const HttpClient::Completion& done, core::Result<ClientResponse> result) {
  try {
    done(std::move(result));
  } catch (const std::exception& e) {
    spdlog::error("http client: a request's completion threw: {}", e.what());
  } catch (...) {
    spdlog::error("http client: a request's completion threw something not a std::exception");
  }
}

// One request in flight: everything libcurl reads from or writes to while it runs.
struct Transfer {
  ClientRequest request;
  HttpClient::Completion done;
  ClientResponse response;
  Collected collected{&response, 0};
  std::unique_ptr<curl_slist, SlistFree> headers;
  std::unique_ptr<curl_mime, MimeFree> mime;
  std::vector<PartReader> parts;  // stable addresses: reserved before use
  EasyHandle easy;
  util::StartLimit* reserved_on = nullptr;  // request.start_limit, once it reserved a start
  bool sent = false;                        // libcurl has begun to send it
  bool refused_resend = false;              // OnAboutToSend stopped libcurl sending it again
};

// libcurl is about to send the request (on a new or a reused connection): it counts against
// the start limit from now. Called on the loop thread, inside curl_multi_perform, each time
// libcurl (re)sends the request.
int OnAboutToSend(void* user, char* /*conn_primary_ip*/, char* /*conn_local_ip*/,
                  int /*conn_primary_port*/, int /*conn_local_port*/) {
  auto* t = static_cast<Transfer*>(user);
  const bool resend = t->sent;
  t->sent = true;
  // libcurl re-sends on its own a request whose kept-alive connection died without an answer.
  // The provider may have acted on the first copy, so anything but a GET fails instead
  // (CURLE_ABORTED_BY_CALLBACK): a failed attempt the dispatcher sees, counts and retries
  // under its rules, rather than a duplicate it never hears of.
  if (resend && t->request.method != "GET") {
    t->refused_resend = true;
    return CURL_PREREQFUNC_ABORT;
  }
  if (t->reserved_on != nullptr) {
    const auto now = util::StartLimit::Clock::now();
    // A GET sent again counts again: it may arrive twice.
    if (!resend) {
      t->reserved_on->Sent(now);
    } else {
      t->reserved_on->Count(now);
    }
  }
  return CURL_PREREQFUNC_OK;
}

// Records the first setting libcurl refused while a request is set up.
class SetupCheck {
 public:
  // Notes `rc` of the setting called `name`; true while every setting so far was accepted.
  bool operator()(CURLcode rc, const char* name) {
    if (rc != CURLE_OK && refused_ == nullptr) {
      refused_ = name;
      reason_ = curl_easy_strerror(rc);
    }
    return refused_ == nullptr;
  }
  // A setup step that failed without a CURLcode (libcurl returned no list or part).
  bool Failed(const char* name) {
    if (refused_ == nullptr) {
      refused_ = name;
      reason_ = "out of memory";
    }
    return false;
  }
  core::Result<void> Result() const {
    if (refused_ == nullptr) return {};
    return MakeError(ErrorCode::kInternal, "the HTTP request could not be set up",
                     std::string("libcurl refused ") + refused_ + ": " + reason_);
  }

 private:
  const char* refused_ = nullptr;
  std::string reason_;
};

// Sets up `t` on its easy handle: every option it relies on, each checked. A request libcurl
// refuses an option for is never sent: without CURLOPT_PREREQFUNCTION it would lose the guard
// against re-sending a POST, without a timeout it could hang. On the loop thread (or once at
// creation, on a probe that is never sent).
core::Result<void> Configure(Transfer& t, std::size_t max_response_bytes) {
  CURL* c = t.easy.get();
  const ClientRequest& request = t.request;
  SetupCheck set;
  t.collected.limit = max_response_bytes;
  const auto append_header = [&](const std::string& line) {
    curl_slist* grown = curl_slist_append(t.headers.get(), line.c_str());
    if (grown == nullptr) return set.Failed("a header line");  // the list is left as it was
    (void)t.headers.release();
    t.headers.reset(grown);
    return true;
  };
  for (const auto& [name, value] : request.headers) append_header(name + ": " + value);
  // libcurl adds "Expect: 100-continue" for large bodies; the round trip buys nothing here.
  append_header("Expect:");
  t.parts.reserve(request.multipart.size());

  set(curl_easy_setopt(c, CURLOPT_URL, request.url.c_str()), "CURLOPT_URL");
  set(curl_easy_setopt(c, CURLOPT_HTTPHEADER, t.headers.get()), "CURLOPT_HTTPHEADER");
  set(curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L), "CURLOPT_NOSIGNAL");
  set(curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                       static_cast<long>(request.connect_timeout.count())),
      "CURLOPT_CONNECTTIMEOUT_MS");
  set(curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count())),
      "CURLOPT_TIMEOUT_MS");
  set(curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &OnBody), "CURLOPT_WRITEFUNCTION");
  set(curl_easy_setopt(c, CURLOPT_WRITEDATA, &t.collected), "CURLOPT_WRITEDATA");
  set(curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, &OnHeader), "CURLOPT_HEADERFUNCTION");
  set(curl_easy_setopt(c, CURLOPT_HEADERDATA, &t.collected), "CURLOPT_HEADERDATA");
  // name/MAJOR.MINOR.PATCH: the form Meta's spec requires of User-Agent.
  set(curl_easy_setopt(c, CURLOPT_USERAGENT, "socialgate/" SOCIALGATE_VERSION),
      "CURLOPT_USERAGENT");
  set(curl_easy_setopt(c, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_2TLS)),
      "CURLOPT_HTTP_VERSION");
  // Over HTTP/2 a new request waits for the connection being set up and shares it, instead of
  // opening one connection per request of a burst.
  if (request.url.rfind("https://", 0) == 0) {
    set(curl_easy_setopt(c, CURLOPT_PIPEWAIT, 1L), "CURLOPT_PIPEWAIT");
  }
  set(curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L), "CURLOPT_TCP_KEEPALIVE");
  set(curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https"), "CURLOPT_PROTOCOLS_STR");
  set(curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L), "CURLOPT_FOLLOWLOCATION");
  // The guard against libcurl re-sending a request on its own (OnAboutToSend), and the start
  // limit's count: a request without it must not leave.
  set(curl_easy_setopt(c, CURLOPT_PREREQFUNCTION, &OnAboutToSend), "CURLOPT_PREREQFUNCTION");
  set(curl_easy_setopt(c, CURLOPT_PREREQDATA, &t), "CURLOPT_PREREQDATA");

  if (!request.multipart.empty()) {
    t.mime.reset(curl_mime_init(c));
    if (!t.mime) {
      set.Failed("curl_mime_init");
      return set.Result();
    }
    for (const auto& part : request.multipart) {
      curl_mimepart* p = curl_mime_addpart(t.mime.get());
      if (p == nullptr) {
        set.Failed("curl_mime_addpart");
        return set.Result();
      }
      set(curl_mime_name(p, part.name.c_str()), "curl_mime_name");
      t.parts.push_back(PartReader{&part.value});
      set(curl_mime_data_cb(p, static_cast<curl_off_t>(part.value.size()), &ReadPart, &SeekPart,
                            nullptr, &t.parts.back()),
          "curl_mime_data_cb");
      if (!part.file_name.empty()) {
        set(curl_mime_filename(p, part.file_name.c_str()), "curl_mime_filename");
      }
      if (!part.content_type.empty()) {
        set(curl_mime_type(p, part.content_type.c_str()), "curl_mime_type");
      }
    }
    set(curl_easy_setopt(c, CURLOPT_MIMEPOST, t.mime.get()), "CURLOPT_MIMEPOST");
  } else if (request.method == "POST" || !request.body.empty()) {
    // libcurl sends a body it is given whole together with the headers, in one write; a read
    // callback costs a second write per request. request.body lives as long as t.
    set(curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
                         static_cast<curl_off_t>(request.body.size())),
        "CURLOPT_POSTFIELDSIZE_LARGE");
    set(curl_easy_setopt(c, CURLOPT_POSTFIELDS, request.body.data()), "CURLOPT_POSTFIELDS");
  }
  if (request.method != "POST" && request.method != "GET") {
    set(curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, request.method.c_str()),
        "CURLOPT_CUSTOMREQUEST");
  } else if (request.method == "GET") {
    set(curl_easy_setopt(c, CURLOPT_HTTPGET, 1L), "CURLOPT_HTTPGET");
  }
  set(curl_easy_setopt(c, CURLOPT_PRIVATE, reinterpret_cast<char*>(&t)), "CURLOPT_PRIVATE");
  return set.Result();
}

// Sets up one request of each kind the providers make (a JSON POST over HTTPS, a multipart
// upload, a GET, another method) on a handle that is never sent: libcurl refuses an option it
// does not know (CURLOPT_PREREQFUNCTION before 7.80, CURLOPT_PROTOCOLS_STR before 7.85) only when
// it is set, and a client that cannot set every request up must not start.
core::Result<void> ProbeOptions(std::size_t max_response_bytes) {
  std::vector<ClientRequest> probes(4);
  probes[0].url = "https://127.0.0.1/probe";
  probes[0].headers = {{"Content-Type", "application/json"}};
  probes[0].body = "{}";
  probes[1].url = "https://127.0.0.1/probe";
  probes[1].multipart = {{"messaging_product", "whatsapp", "", ""},
                         {"file", "%PDF-1.4", "probe.pdf", "application/pdf"}};
  probes[2].method = "GET";
  probes[2].url = "http://127.0.0.1/probe";
  probes[3].method = "DELETE";
  probes[3].url = "http://127.0.0.1/probe";
  for (auto& request : probes) {
    Transfer probe;
    probe.request = std::move(request);
    probe.easy.reset(curl_easy_init());
    if (!probe.easy) return MakeError(ErrorCode::kInternal, "libcurl could not create a handle");
    SG_RETURN_IF_ERROR(Configure(probe, max_response_bytes));
  }
  return {};
}

class CurlHttpClient final : public HttpClient {
 public:
  // Checks that libcurl takes every option the client relies on, then starts the loop.
  static core::Result<HttpClientPtr> Create(const CurlClientOptions& options) {
    const auto refused = [](const std::string& what) {
      return MakeError(ErrorCode::kInternal,
                       "the HTTP client cannot start: libcurl " +
                           std::string(curl_version_info(CURLVERSION_NOW)->version) + " " + what +
                           " (socialgate needs libcurl 7.85 or later, built with "
                           "HTTP/2)");
    };
    // Safe to call more than once; must run before any other thread uses curl.
    static const CURLcode kInit = curl_global_init(CURL_GLOBAL_DEFAULT);
    if (kInit != CURLE_OK) {
      return refused("could not be initialised: " + std::string(curl_easy_strerror(kInit)));
    }
    if (auto probed = ProbeOptions(options.max_response_bytes); !probed) {
      return refused("cannot set up a request: " + probed.error().detail);
    }
    CURLM* multi = curl_multi_init();
    if (multi == nullptr) return refused("could not create a multi handle");
    const std::pair<CURLMcode, const char*> settings[] = {
        {curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, options.max_connections),
         "CURLMOPT_MAXCONNECTS"},
        {curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS, options.max_host_connections),
         "CURLMOPT_MAX_HOST_CONNECTIONS"},
        {curl_multi_setopt(multi, CURLMOPT_PIPELINING, static_cast<long>(CURLPIPE_MULTIPLEX)),
         "CURLMOPT_PIPELINING"},
    };
    for (const auto& [rc, name] : settings) {
      if (rc != CURLM_OK) {
        curl_multi_cleanup(multi);
        return refused("refused " + std::string(name) + ": " + curl_multi_strerror(rc));
      }
    }
    return std::make_unique<CurlHttpClient>(options, multi);
  }

  // Takes `multi`, set up by Create.
  CurlHttpClient(const CurlClientOptions& options, CURLM* multi)
      : max_response_bytes_(options.max_response_bytes), multi_(multi) {
    loop_ = std::thread([this] {
      util::NameThisThread("sg-http-client");
      RunLoop();
    });
  }

  ~CurlHttpClient() override {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    curl_multi_wakeup(multi_);
    loop_.join();  // finishes every transfer already started (each is bounded by its timeout)
    idle_.clear();
    curl_multi_cleanup(multi_);
  }

  CurlHttpClient(const CurlHttpClient&) = delete;
  CurlHttpClient& operator=(const CurlHttpClient&) = delete;
  CurlHttpClient(CurlHttpClient&&) = delete;
  CurlHttpClient& operator=(CurlHttpClient&&) = delete;

  // HttpClient implementation
  void Start(ClientRequest request, Completion done) override {
    auto transfer = std::make_unique<Transfer>();
    transfer->request = std::move(request);
    transfer->done = std::move(done);
    {
      std::lock_guard lock(mutex_);
      if (!stopping_) {
        submitted_.push_back(std::move(transfer));
        transfer = nullptr;
      }
    }
    if (transfer == nullptr) {
      curl_multi_wakeup(multi_);
      return;
    }
    Answer(transfer->done, MakeError(ErrorCode::kUnavailable, "the provider could not be reached",
                                     "the HTTP client is shutting down"));
  }

 private:
  void RunLoop() {
    std::vector<std::unique_ptr<Transfer>> incoming;
    for (;;) {
      {
        std::lock_guard lock(mutex_);
        incoming.swap(submitted_);
        if (stopping_ && incoming.empty() && active_ == 0 && held_.empty()) return;
      }
      // Requests held by their start limit go first, then the new ones.
      const auto now = util::StartLimit::Clock::now();
      while (!held_.empty() && held_.begin()->first <= now) {
        auto transfer = std::move(held_.begin()->second);
        held_.erase(held_.begin());
        BeginWithinLimit(std::move(transfer), now);
      }
      for (auto& transfer : incoming) BeginWithinLimit(std::move(transfer), now);
      incoming.clear();
      int running = 0;
      curl_multi_perform(multi_, &running);
      int left = 0;
      while (CURLMsg* msg = curl_multi_info_read(multi_, &left)) {
        if (msg->msg != CURLMSG_DONE) continue;
        char* raw = nullptr;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &raw);
        const CURLcode rc = msg->data.result;
        curl_multi_remove_handle(multi_, msg->easy_handle);
        --active_;
        End(std::unique_ptr<Transfer>(reinterpret_cast<Transfer*>(raw)), rc);
      }
      // Sleeps until a socket is ready, libcurl's next timeout, a wakeup from Start(), or the
      // first held request's turn.
      int wait_ms = 1000;
      if (!held_.empty()) {
        const auto until = std::chrono::ceil<std::chrono::milliseconds>(
            held_.begin()->first - util::StartLimit::Clock::now());
        wait_ms = static_cast<int>(std::clamp<std::int64_t>(until.count(), 0, wait_ms));
      }
      curl_multi_poll(multi_, nullptr, 0, wait_ms, nullptr);
    }
  }

  // Begins `transfer` now, or holds it until its start limit lets it. On the loop thread.
  void BeginWithinLimit(std::unique_ptr<Transfer> transfer,
                        util::StartLimit::Clock::time_point now) {
    if (const auto& limit = transfer->request.start_limit) {
      if (const auto at = limit->TryReserve(now)) {
        held_.emplace(*at, std::move(transfer));  // after those already held for that time
        return;
      }
      transfer->reserved_on = limit.get();
    }
    Begin(std::move(transfer));
  }

  // Sets up `transfer` on a pooled handle and hands it to libcurl. On the loop thread.
  void Begin(std::unique_ptr<Transfer> transfer) {
    EasyHandle handle;
    if (!idle_.empty()) {
      handle = std::move(idle_.back());
      idle_.pop_back();
    } else {
      handle.reset(curl_easy_init());
    }
    if (!handle) {
      if (transfer->reserved_on != nullptr) transfer->reserved_on->Unsent();
      Answer(transfer->done,
             MakeError(ErrorCode::kInternal, "cannot create an HTTP client handle"));
      return;
    }
    transfer->easy = std::move(handle);
    if (auto configured = Configure(*transfer, max_response_bytes_); !configured) {
      if (transfer->reserved_on != nullptr) transfer->reserved_on->Unsent();
      Answer(transfer->done, tl::unexpected(std::move(configured.error())));
      Recycle(std::move(transfer->easy));
      return;
    }
    CURL* easy = transfer->easy.get();
    if (curl_multi_add_handle(multi_, easy) != CURLM_OK) {
      if (transfer->reserved_on != nullptr) transfer->reserved_on->Unsent();
      Answer(transfer->done, MakeError(ErrorCode::kInternal, "cannot start an HTTP request"));
      Recycle(std::move(transfer->easy));
      return;
    }
    ++active_;
    (void)transfer.release();  // owned by libcurl's list until End()
  }

  // Answers a finished transfer and keeps its handle for the next one. On the loop thread.
  void End(std::unique_ptr<Transfer> t, CURLcode rc) {
    core::Result<ClientResponse> result;
    if (rc != CURLE_OK) {
      const ClientRequest& request = t->request;
      std::string what = curl_easy_strerror(rc);
      if (t->collected.overflow) {
        what = "the response is larger than " + std::to_string(max_response_bytes_) + " bytes";
      } else if (t->refused_resend) {
        what =
            "the kept-alive connection closed without an answer; not sent again, since the "
            "provider may have acted on it";
      }
      ErrorCode code = ErrorCode::kUnavailable;
      std::string message = "the provider could not be reached";
      if (rc == CURLE_OPERATION_TIMEDOUT) {
        code = ErrorCode::kDeadlineExceeded;
        message = "the provider did not answer in time";
      } else if (t->collected.overflow) {
        // It answered, with more than any answer worth reading.
        code = ErrorCode::kResourceExhausted;
        message = "the provider's answer is larger than " + std::to_string(max_response_bytes_) +
                  " bytes";
      }
      result =
          MakeError(code, std::move(message), request.method + " " + request.url + ": " + what);
    } else {
      curl_easy_getinfo(t->easy.get(), CURLINFO_RESPONSE_CODE, &t->response.status);
      result = std::move(t->response);
    }
    if (t->reserved_on != nullptr && !t->sent) t->reserved_on->Unsent();
    Recycle(std::move(t->easy));
    Answer(t->done, std::move(result));
  }

  void Recycle(EasyHandle handle) {
    curl_easy_reset(handle.get());  // connections live in the multi handle's shared cache
    if (idle_.size() < kMaxIdleHandles) idle_.push_back(std::move(handle));
  }

  static constexpr std::size_t kMaxIdleHandles = 1024;
  const std::size_t max_response_bytes_;
  CURLM* const multi_;

  std::mutex mutex_;
  std::vector<std::unique_ptr<Transfer>> submitted_;  // started, not yet handed to libcurl
  bool stopping_ = false;

  // Loop thread only.
  std::vector<EasyHandle> idle_;
  // Requests waiting for their start limit, by the time they may start.
  std::multimap<util::StartLimit::Clock::time_point, std::unique_ptr<Transfer>> held_;
  std::size_t active_ = 0;
  std::thread loop_;
};

}  // namespace

core::Result<HttpClientPtr> MakeCurlHttpClient(const CurlClientOptions& options) {
  return CurlHttpClient::Create(options);
}

}  // namespace socialgate::net
