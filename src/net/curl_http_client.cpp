#include <algorithm>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <vector>

#include <curl/curl.h>

#include "net/http_client.hpp"

namespace socialgate::net {

std::string_view ClientResponse::Header(std::string_view lower_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lower_name) return value;
  }
  return {};
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

// A request body that libcurl reads through a callback and cannot rewind once any of it was
// read. libcurl silently re-sends a request whose kept-alive connection died without an answer;
// for a POST to a provider that may be a duplicate the dispatcher never hears of. Refusing the
// rewind turns it into a failed attempt (CURLE_SEND_FAIL_REWIND), counted and retried under
// the dispatcher's rules.
struct OneShotBody {
  const std::string* data;
  std::size_t pos = 0;
};

std::size_t ReadBody(char* buffer, std::size_t size, std::size_t count, void* user) {
  auto* b = static_cast<OneShotBody*>(user);
  const std::size_t n = std::min(size * count, b->data->size() - b->pos);
  std::memcpy(buffer, b->data->data() + b->pos, n);
  b->pos += n;
  return n;
}

int SeekBody(void* user, curl_off_t offset, int origin) {
  auto* b = static_cast<OneShotBody*>(user);
  // Rewinding before anything was sent is harmless (libcurl may do it to prepare a request).
  if (offset == 0 && origin == SEEK_SET && b->pos == 0) return CURL_SEEKFUNC_OK;
  return CURL_SEEKFUNC_CANTSEEK;
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

class CurlHttpClient final : public HttpClient {
 public:
  explicit CurlHttpClient(std::size_t max_response_bytes)
      : max_response_bytes_(max_response_bytes) {
    // Safe to call more than once; must run before any other thread uses curl.
    static const CURLcode kInit = curl_global_init(CURL_GLOBAL_DEFAULT);
    (void)kInit;
  }

  // HttpClient implementation
  core::Result<ClientResponse> Perform(const ClientRequest& request) override {
    EasyHandle handle = Borrow();
    if (!handle) return MakeError(ErrorCode::kInternal, "cannot create an HTTP client handle");
    auto result = Run(handle.get(), request);
    Return(std::move(handle));
    return result;
  }

 private:
  EasyHandle Borrow() {
    {
      std::lock_guard lock(mutex_);
      if (!idle_.empty()) {
        EasyHandle h = std::move(idle_.back());
        idle_.pop_back();
        return h;
      }
    }
    return EasyHandle(curl_easy_init());
  }

  void Return(EasyHandle handle) {
    curl_easy_reset(handle.get());  // keeps the handle's live connections and caches
    std::lock_guard lock(mutex_);
    if (idle_.size() < kMaxIdleHandles) idle_.push_back(std::move(handle));
  }

  core::Result<ClientResponse> Run(CURL* c, const ClientRequest& request) {
    ClientResponse response;
    Collected collected{&response, max_response_bytes_};
    std::unique_ptr<curl_slist, SlistFree> headers;
    for (const auto& [name, value] : request.headers) {
      const std::string line = name + ": " + value;
      headers.reset(curl_slist_append(headers.release(), line.c_str()));
    }
    // libcurl adds "Expect: 100-continue" for large bodies; the round trip buys nothing here.
    headers.reset(curl_slist_append(headers.release(), "Expect:"));
    std::unique_ptr<curl_mime, MimeFree> mime;
    std::vector<OneShotBody> bodies;  // stable addresses: reserved before use
    bodies.reserve(request.multipart.size() + 1);

    curl_easy_setopt(c, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(request.connect_timeout.count()));
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count()));
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &OnBody);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &collected);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, &OnHeader);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &collected);
    // name/MAJOR.MINOR.PATCH: the form Meta's spec requires of User-Agent.
    curl_easy_setopt(c, CURLOPT_USERAGENT, "socialgate/" SOCIALGATE_VERSION);
    curl_easy_setopt(c, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_2TLS));
    curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);

    if (!request.multipart.empty()) {
      mime.reset(curl_mime_init(c));
      for (const auto& part : request.multipart) {
        curl_mimepart* p = curl_mime_addpart(mime.get());
        curl_mime_name(p, part.name.c_str());
        bodies.push_back(OneShotBody{&part.value});
        curl_mime_data_cb(p, static_cast<curl_off_t>(part.value.size()), &ReadBody, &SeekBody,
                          nullptr, &bodies.back());
        if (!part.file_name.empty()) curl_mime_filename(p, part.file_name.c_str());
        if (!part.content_type.empty()) curl_mime_type(p, part.content_type.c_str());
      }
      curl_easy_setopt(c, CURLOPT_MIMEPOST, mime.get());
    } else if (request.method == "POST" || !request.body.empty()) {
      bodies.push_back(OneShotBody{&request.body});
      curl_easy_setopt(c, CURLOPT_POST, 1L);
      curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
                       static_cast<curl_off_t>(request.body.size()));
      curl_easy_setopt(c, CURLOPT_READFUNCTION, &ReadBody);
      curl_easy_setopt(c, CURLOPT_READDATA, &bodies.back());
      curl_easy_setopt(c, CURLOPT_SEEKFUNCTION, &SeekBody);
      curl_easy_setopt(c, CURLOPT_SEEKDATA, &bodies.back());
    }
    if (request.method != "POST" && request.method != "GET") {
      curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    } else if (request.method == "GET") {
      curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
    }

    const CURLcode rc = curl_easy_perform(c);
    if (rc != CURLE_OK) {
      const std::string what =
          collected.overflow
              ? "the response is larger than " + std::to_string(max_response_bytes_) + " bytes"
              : curl_easy_strerror(rc);
      const ErrorCode code =
          rc == CURLE_OPERATION_TIMEDOUT ? ErrorCode::kDeadlineExceeded : ErrorCode::kUnavailable;
      return MakeError(code,
                       rc == CURLE_OPERATION_TIMEDOUT ? "the provider did not answer in time"
                                                      : "the provider could not be reached",
                       request.method + " " + request.url + ": " + what);
    }
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &response.status);
    return response;
  }

  static constexpr std::size_t kMaxIdleHandles = 256;
  const std::size_t max_response_bytes_;
  std::mutex mutex_;
  std::vector<EasyHandle> idle_;
};

}  // namespace

HttpClientPtr MakeCurlHttpClient(std::size_t max_response_bytes) {
  return std::make_unique<CurlHttpClient>(max_response_bytes);
}

}  // namespace socialgate::net
