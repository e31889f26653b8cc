#include "fake-graph/webhook_poster.hpp"

#include <algorithm>
#include <utility>

#include "net/http_client.hpp"

namespace socialgate::fake_graph {

namespace {

constexpr std::chrono::milliseconds kMaxConnectTimeout{3'000};

class HttpWebhookPoster final : public WebhookPoster {
 public:
  HttpWebhookPoster(net::HttpClientPtr client, std::chrono::milliseconds timeout)
      : client_(std::move(client)), timeout_(timeout) {}

  void Post(WebhookPost post, Done done) override {
    net::ClientRequest request;
    request.method = "POST";
    request.url = std::move(post.url);
    request.headers = {{"Content-Type", "application/json"},
                       {"X-Hub-Signature-256", std::move(post.signature)},
                       // What Meta's webhook requests carry.
                       {"User-Agent", "facebookexternalua"}};
    request.body = std::move(post.body);
    request.timeout = timeout_;
    request.connect_timeout = std::min(timeout_, kMaxConnectTimeout);
    client_->Start(std::move(request),
                   [done = std::move(done)](core::Result<net::ClientResponse> answer) {
                     if (!answer) {
                       done(PostOutcome::kNoAnswer);
                     } else if (answer->status >= 200 && answer->status <= 299) {
                       done(PostOutcome::kAnswered2xx);
                     } else {
                       done(PostOutcome::kRefused);
                     }
                   });
  }

 private:
  net::HttpClientPtr client_;  // its destructor finishes every transfer (each within timeout_)
  const std::chrono::milliseconds timeout_;
};

}  // namespace

core::Result<std::unique_ptr<WebhookPoster>> MakeHttpWebhookPoster(
    std::chrono::milliseconds timeout) {
  net::CurlClientOptions options;
  options.max_response_bytes = 64 * 1024;  // a webhook answer's body is not read for anything
  auto client = net::MakeCurlHttpClient(options);
  if (!client) return tl::unexpected(std::move(client.error()));
  return std::unique_ptr<WebhookPoster>(
      std::make_unique<HttpWebhookPoster>(std::move(*client), timeout));
}

}  // namespace socialgate::fake_graph
