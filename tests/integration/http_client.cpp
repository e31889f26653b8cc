#include "http_client.hpp"

#include <algorithm>
#include <cctype>
#include <mutex>
#include <thread>

#include <curl/curl.h>

namespace socialgate::testing {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

std::size_t OnBody(char* data, std::size_t size, std::size_t count, void* user) {
  static_cast<HttpResponse*>(user)->body.append(data, size * count);
  return size * count;
}

std::size_t OnHeader(char* data, std::size_t size, std::size_t count, void* user) {
  auto* response = static_cast<HttpResponse*>(user);
  const std::string_view line(data, size * count);
  if (line.rfind("HTTP/", 0) == 0) {
    response->headers.clear();  // a new response (after "100 Continue" or a redirect)
    return size * count;
  }
  const auto colon = line.find(':');
  if (colon == std::string_view::npos) return size * count;
  const std::string name = Lower(Trim(line.substr(0, colon)));
  const std::string value(Trim(line.substr(colon + 1)));
  auto [it, inserted] = response->headers.emplace(name, value);
  if (!inserted) it->second += ", " + value;
  return size * count;
}

void InitCurlOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

}  // namespace

std::string HttpResponse::Header(std::string_view lower_name) const {
  auto it = headers.find(std::string(lower_name));
  return it == headers.end() ? std::string() : it->second;
}

nlohmann::json HttpResponse::Json() const {
  return nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
}

std::string HttpResponse::Describe() const {
  std::string out = "HTTP " + std::to_string(status);
  if (!transport_error.empty()) out += " (transport error: " + transport_error + ")";
  constexpr std::size_t kMaxBody = 2000;
  out += ", body: ";
  out += body.size() > kMaxBody ? body.substr(0, kMaxBody) + "..." : body;
  return out;
}

HttpClient::HttpClient() : curl_(nullptr) {
  InitCurlOnce();
  curl_ = curl_easy_init();
}

HttpClient::~HttpClient() {
  if (curl_ != nullptr) curl_easy_cleanup(static_cast<CURL*>(curl_));
}

HttpResponse HttpClient::Send(const HttpRequest& request) {
  HttpResponse response;
  auto* curl = static_cast<CURL*>(curl_);
  if (curl == nullptr) {
    response.transport_error = "curl_easy_init failed";
    return response;
  }
  curl_easy_reset(curl);  // keeps the connection cache, forgets the previous request's options
  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");  // tests talk to 127.0.0.1 only
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(std::chrono::milliseconds(kConnectTimeout).count()));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS,
                   static_cast<long>(std::chrono::milliseconds(kTotalTimeout).count()));
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &OnBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, &OnHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &response);

  if (request.body) {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(request.body->size()));
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body->data());
  }
  if (request.method == "GET" && !request.body) {
    curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
  } else if (request.method == "HEAD") {
    curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  } else if (request.method != "POST" || !request.body) {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }
  if (!request.ca_file.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, request.ca_file.c_str());
  if (request.basic) {
    curl_easy_setopt(curl, CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_BASIC));
    curl_easy_setopt(curl, CURLOPT_USERNAME, request.basic->user.c_str());
    curl_easy_setopt(curl, CURLOPT_PASSWORD, request.basic->password.c_str());
  }

  curl_slist* headers = nullptr;
  bool has_expect = false;
  for (const auto& [name, value] : request.headers) {
    headers = curl_slist_append(headers, (name + ": " + value).c_str());
    has_expect = has_expect || Lower(name) == "expect";
  }
  // libcurl waits for "100 Continue" before sending a large body; nothing to gain here.
  if (!has_expect) headers = curl_slist_append(headers, "Expect:");
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);

  const CURLcode rc = curl_easy_perform(curl);
  if (rc == CURLE_OK) {
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
  } else {
    response.status = 0;
    response.transport_error = curl_easy_strerror(rc);
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, nullptr);
  curl_slist_free_all(headers);
  return response;
}

HttpResponse HttpClient::Get(const std::string& url, std::optional<Credentials> basic) {
  HttpRequest request;
  request.url = url;
  request.basic = std::move(basic);
  return Send(request);
}

HttpResponse HttpClient::PostJson(const std::string& url, std::string body,
                                  std::optional<Credentials> basic) {
  HttpRequest request;
  request.method = "POST";
  request.url = url;
  request.headers = {{"Content-Type", "application/json"}};
  request.body = std::move(body);
  request.basic = std::move(basic);
  return Send(request);
}

nlohmann::json SeedRequest(std::string_view service_phone) {
  return {{"customerPhoneNumber", "393403603062"},
          {"servicePhoneNumber", std::string(service_phone)},
          {"templateName", "shipping_confirmation"},
          {"language", "en_GB"},
          {"header", nullptr},
          {"headerData", {"Griffin"}},
          {"bodyData", {"5"}},
          {"dynamicUrl", {"contact-highway/"}}};
}

std::string SendUrl(const std::string& base_url, std::string_view domain) {
  return base_url + "/livechat/" + std::string(domain) + "/" + std::string(kSendMethod);
}

std::string MessageUrl(const std::string& base_url, std::string_view domain, std::string_view id) {
  return base_url + "/livechat/" + std::string(domain) + "/messages/" + std::string(id);
}

MessageStatusPoll WaitForMessageStatus(HttpClient& client, const std::string& base_url,
                                       std::string_view domain, std::string_view id,
                                       const Credentials& credentials, std::string_view status,
                                       std::chrono::milliseconds timeout) {
  MessageStatusPoll poll;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  const std::string url = MessageUrl(base_url, domain, id);
  HttpResponse last;
  for (;;) {
    last = client.Get(url, credentials);
    poll.last = last.Json();
    std::string current;
    if (last.status == 200 && poll.last.is_object() && poll.last.contains("status") &&
        poll.last["status"].is_string()) {
      current = poll.last["status"].get<std::string>();
    }
    if (current == status) {
      poll.reached = ::testing::AssertionSuccess();
      return poll;
    }
    const bool final_status = current == "failed" || current == "read";
    if (final_status || std::chrono::steady_clock::now() >= deadline) {
      poll.reached = ::testing::AssertionFailure()
                     << "message " << id << " did not reach status '" << status << "' within "
                     << timeout.count() << " ms"
                     << (final_status ? " (it ended in a final status)" : "")
                     << "; last answer: " << last.Describe();
      return poll;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

::testing::AssertionResult WaitForAllMessagesStatus(HttpClient& client, const std::string& base_url,
                                                    std::string_view domain,
                                                    const std::vector<std::string>& ids,
                                                    const Credentials& credentials,
                                                    std::string_view status,
                                                    std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::vector<std::string> pending = ids;
  std::map<std::string, HttpResponse> last;
  for (;;) {
    std::vector<std::string> still;
    for (const auto& id : pending) {
      HttpResponse r = client.Get(MessageUrl(base_url, domain, id), credentials);
      const nlohmann::json j = r.Json();
      const bool reached = r.status == 200 && j.is_object() && j.contains("status") &&
                           j["status"].is_string() && j["status"].get<std::string>() == status;
      if (!reached) {
        still.push_back(id);
        last[id] = std::move(r);
      }
    }
    pending = std::move(still);
    if (pending.empty()) return ::testing::AssertionSuccess();
    if (std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  auto failure = ::testing::AssertionFailure();
  failure << pending.size() << " of " << ids.size() << " messages did not reach status '" << status
          << "' within " << timeout.count() << " ms:";
  for (const auto& id : pending) {
    const nlohmann::json j = last[id].Json();
    failure << "\n  " << id << ": ";
    if (j.is_object() && j.contains("status")) {
      failure << "status " << j["status"].dump() << ", history";
      for (const auto& s : HistoryStatuses(j)) failure << " " << s;
    } else {
      failure << last[id].Describe();
    }
  }
  return failure;
}

std::vector<std::string> HistoryStatuses(const nlohmann::json& message) {
  std::vector<std::string> out;
  if (!message.is_object() || !message.contains("history") || !message["history"].is_array()) {
    return out;
  }
  for (const auto& event : message["history"]) {
    if (event.is_object() && event.contains("status") && event["status"].is_string()) {
      out.push_back(event["status"].get<std::string>());
    }
  }
  return out;
}

::testing::AssertionResult IsError(const HttpResponse& r, long status, std::string_view text) {
  if (r.status != status) {
    return ::testing::AssertionFailure() << "want HTTP " << status << ", got " << r.Describe();
  }
  const nlohmann::json j = r.Json();
  if (!j.is_object()) return ::testing::AssertionFailure() << "not a JSON object: " << r.Describe();
  if (j.value("result", true) != false) {
    return ::testing::AssertionFailure() << "want result false: " << r.Describe();
  }
  if (!j.contains("error") || !j["error"].is_string() || j["error"].get<std::string>().empty()) {
    return ::testing::AssertionFailure() << "want an error sentence: " << r.Describe();
  }
  if (j["error"].get<std::string>().find(text) == std::string::npos) {
    return ::testing::AssertionFailure() << "want '" << text << "' in the error: " << r.Describe();
  }
  if (r.Header("content-type").rfind("application/json", 0) != 0) {
    return ::testing::AssertionFailure()
           << "want a JSON content type, got '" << r.Header("content-type") << "'";
  }
  return ::testing::AssertionSuccess();
}

}  // namespace socialgate::testing
