#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include <curl/curl.h>
#include <spdlog/spdlog.h>

#include "net/curl_transfer.hpp"
#include "net/http_client.hpp"
#include "util/thread_name.hpp"

namespace socialgate::net {
namespace {

using core::ErrorCode;
using core::MakeError;

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
