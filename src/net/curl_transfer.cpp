#include "net/curl_transfer.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <exception>
#include <string_view>

#include <spdlog/spdlog.h>

#include "core/text.hpp"

namespace socialgate::net {
namespace {

using core::ErrorCode;
using core::MakeError;

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
  std::string name = core::AsciiLower(line.substr(0, colon));
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) {
    value.remove_suffix(1);
  }
  c->response->headers.emplace_back(std::move(name), std::string(value));
  return n;
}

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

}  // namespace

void Answer(const HttpClient::Completion& done, core::Result<ClientResponse> result) {
  try {
    done(std::move(result));
  } catch (const std::exception& e) {
    spdlog::error("http client: a request's completion threw: {}", e.what());
  } catch (...) {
    spdlog::error("http client: a request's completion threw something not a std::exception");
  }
}

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

}  // namespace socialgate::net
