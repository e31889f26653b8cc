// File: bench/template_check_bench.cpp
//
// The template check's own cost per send, timed in a loop (bench/templates_part.py, the
// `templates` part of bench/run.py): what the gateway's CPU per request over a wrk load cannot
// resolve when the check is a microsecond or less. It reads a gateway configuration and a
// template listing (the shape of Meta's message_templates answer, e.g. config/demo-templates.json),
// puts the listing in memory as the catalog of ACCOUNT (a number's waba_id) as a synchronisation
// would, and times, on the seed's example request (shipping_confirmation, en_GB, one header, one
// body and one URL parameter) sent from PHONE:
//
//   send_check_ns      templates::CheckTemplateSend alone: the catalog lookups and comparisons
//   pipeline_check_ns  api::SendPipeline::CheckTemplate under the domain's policy (strict): the
//                      number, its policy and account, the domain's other accounts, the check
//   pipeline_off_ns    the same with the domain's policy set to "off" (not checked)
//   current_ns         templates::Catalogs::Current(): the snapshot every send takes (paid with
//                      the check on or off)
//
// Each figure is the best (lowest) of ROUNDS rounds of about 0.2 s, in ns per call; the median
// round is given beside it (`_median`). One JSON object on stdout.
//
//   template_check_bench --config FILE --templates FILE --account ACCOUNT --phone PHONE
//                        [--rounds N]
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include "api/send_pipeline.hpp"
#include "config/config.hpp"
#include "core/message.hpp"
#include "loop_timing.hpp"
#include "templates/catalog.hpp"
#include "templates/catalog_json.hpp"
#include "templates/send_check.hpp"

namespace {

using socialgate::bench::Time;
using socialgate::bench::Timing;

int Usage(const char* argv0) {
  std::fprintf(stderr,
               "usage: %s --config FILE --templates FILE --account ACCOUNT --phone PHONE "
               "[--rounds N]\n",
               argv0);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  namespace sg = socialgate;
  std::string config_path, templates_path, account, phone;
  int rounds = 7;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (i + 1 >= argc) return Usage(argv[0]);
    if (arg == "--config") {
      config_path = argv[++i];
    } else if (arg == "--templates") {
      templates_path = argv[++i];
    } else if (arg == "--account") {
      account = argv[++i];
    } else if (arg == "--phone") {
      phone = argv[++i];
    } else if (arg == "--rounds") {
      rounds = std::atoi(argv[++i]);
      if (rounds < 1 || rounds > 100) return Usage(argv[0]);
    } else {
      return Usage(argv[0]);
    }
  }
  if (config_path.empty() || templates_path.empty() || account.empty() || phone.empty()) {
    return Usage(argv[0]);
  }

  auto config = sg::config::LoadConfig(config_path);
  if (!config) {
    std::fprintf(stderr, "template_check_bench: %s\n", config.error().message.c_str());
    return 1;
  }
  const sg::config::Domain* domain = nullptr;
  for (const auto& d : config->domains) {
    if (d.FindNumber(phone) != nullptr) domain = &d;
  }
  if (domain == nullptr || domain->FindNumber(phone)->TemplateAccount() != account) {
    std::fprintf(stderr, "template_check_bench: %s: no number %s whose catalog is %s\n",
                 config_path.c_str(), phone.c_str(), account.c_str());
    return 1;
  }
  std::ifstream in(templates_path, std::ios::binary);
  const std::string listing{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  auto page = sg::templates::ReadTemplatePage(listing);
  if (!in || !page) {
    std::fprintf(stderr, "template_check_bench: %s: cannot read the listing%s%s\n",
                 templates_path.c_str(), page ? "" : ": ",
                 page ? "" : page.error().message.c_str());
    return 1;
  }
  const std::size_t templates = page->templates.size();
  sg::templates::Catalogs catalogs;
  catalogs.Replace(sg::templates::AccountCatalog::Of(account, 1, std::move(page->templates)));
  const auto snapshot = catalogs.Current();

  // The seed's example request (bench/run.py's seed_body), as the decoder gives it.
  sg::core::OutboundMessage message;
  message.customer_phone = "393403603062";
  message.service_phone = phone;
  message.content = sg::core::TemplateContent{
      "shipping_confirmation", "en_GB", std::nullopt, {"Griffin"}, {"5"}, {"contact-highway/"}};
  const auto& content = std::get<sg::core::TemplateContent>(message.content);

  // The checks must pass (a refusal would time another path).
  if (auto checked = sg::templates::CheckTemplateSend(*snapshot, account, phone, content);
      !checked) {
    std::fprintf(stderr, "template_check_bench: the seed request is refused: %s\n",
                 checked.error().message.c_str());
    return 1;
  }
  if (sg::api::SendPipeline::CheckTemplate(*snapshot, *domain, message)) {
    std::fprintf(stderr,
                 "template_check_bench: SendPipeline::CheckTemplate refuses the seed "
                 "request (is the domain's policy strict?)\n");
    return 1;
  }
  sg::config::Domain off = *domain;
  off.templates = sg::config::TemplatePolicy::kOff;

  const Timing send_check = Time(rounds, [&] {
    auto r = sg::templates::CheckTemplateSend(*snapshot, account, phone, content);
    return static_cast<std::size_t>(r.has_value());
  });
  const Timing pipeline = Time(rounds, [&] {
    return static_cast<std::size_t>(
        sg::api::SendPipeline::CheckTemplate(*snapshot, *domain, message).has_value());
  });
  const Timing pipeline_off = Time(rounds, [&] {
    return static_cast<std::size_t>(
        sg::api::SendPipeline::CheckTemplate(*snapshot, off, message).has_value());
  });
  const Timing current = Time(rounds, [&] { return catalogs.Current()->accounts.size(); });

  std::printf(
      "{\"templates\":%zu,\"numbers_in_domain\":%zu,\"rounds\":%d,"
      "\"send_check_ns\":%.1f,\"send_check_ns_median\":%.1f,"
      "\"pipeline_check_ns\":%.1f,\"pipeline_check_ns_median\":%.1f,"
      "\"pipeline_off_ns\":%.1f,\"pipeline_off_ns_median\":%.1f,"
      "\"current_ns\":%.1f,\"current_ns_median\":%.1f}\n",
      templates, domain->numbers.size(), rounds, send_check.best_ns, send_check.median_ns,
      pipeline.best_ns, pipeline.median_ns, pipeline_off.best_ns, pipeline_off.median_ns,
      current.best_ns, current.median_ns);
  return 0;
}
