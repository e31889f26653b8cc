#include "dispatch/dispatch_metrics.hpp"

#include <string>

#include <gtest/gtest.h>

namespace socialgate::dispatch {
namespace {

providers::SendOutcome Failed(std::string code) {
  providers::SendOutcome o;
  o.kind = providers::SendOutcome::Kind::kRetryLater;
  o.error_code = std::move(code);
  return o;
}

// Whether the exposition has this line (series and value).
bool Shows(obs::Registry& r, const std::string& sample) {
  return r.Exposition().find("\n" + sample + "\n") != std::string::npos;
}

TEST(DispatchMetricsTest, AProvidersErrorCodesCannotGrowTheSeriesWithoutBound) {
  obs::Registry r;
  DispatchMetrics m(r);
  for (std::size_t i = 0; i < DispatchMetrics::kMaxErrorCodes + 10; ++i) {
    m.ProviderAnswered("meta", Failed(std::to_string(130000 + i)), std::chrono::milliseconds(5));
  }
  m.ProviderAnswered("meta", Failed("130000"), std::chrono::milliseconds(5));  // seen: kept
  m.ProviderAnswered("meta", Failed(std::string(33, '1')), std::chrono::milliseconds(5));
  m.ProviderAnswered("meta", Failed("a\"b"), std::chrono::milliseconds(5));
  EXPECT_TRUE(Shows(r,
                    "socialgate_provider_requests_total{provider=\"meta\",outcome=\"retry_later\","
                    "error_code=\"130000\"} 2"));
  EXPECT_TRUE(Shows(r,
                    "socialgate_provider_requests_total{provider=\"meta\",outcome=\"retry_later\","
                    "error_code=\"other\"} 12"));
  const std::string out = r.Exposition();
  std::size_t series = 0;
  for (auto at = out.find("\nsocialgate_provider_requests_total{"); at != std::string::npos;
       at = out.find("\nsocialgate_provider_requests_total{", at + 1)) {
    ++series;
  }
  EXPECT_EQ(series, DispatchMetrics::kMaxErrorCodes + 1);
}

TEST(DispatchMetricsTest, NumbersAreLabelledByMetasIdOrTheirPlaceNeverTheirPhone) {
  config::BusinessNumber meta;
  meta.phone = "3902124122690";
  meta.meta.phone_number_id = "106540352242922";
  config::BusinessNumber sandbox;
  sandbox.phone = "3902124122691";
  EXPECT_EQ(DispatchMetrics::NumberLabel(meta, 0), "106540352242922");
  EXPECT_EQ(DispatchMetrics::NumberLabel(sandbox, 1), "#2");

  config::Config config;
  config::Domain domain;
  domain.name = "acme";
  domain.numbers = {meta, sandbox};
  config.domains.push_back(domain);
  obs::Registry r;
  DispatchMetrics m(r);
  {
    auto watch =
        m.WatchCircuits(config, [](const std::string& phone) { return phone == "3902124122691"; });
    EXPECT_TRUE(Shows(r, "socialgate_circuit_open{domain=\"acme\",number=\"#2\"} 1"));
    EXPECT_TRUE(Shows(r, "socialgate_circuit_open{domain=\"acme\",number=\"106540352242922\"} 0"));
    EXPECT_EQ(r.Exposition().find("3902124122691"), std::string::npos);
  }
}

}  // namespace
}  // namespace socialgate::dispatch
