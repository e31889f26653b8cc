#include "app/customer_commands.hpp"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "core/phone_number.hpp"
#include "obs/log.hpp"
#include "store/storage.hpp"

namespace socialgate::app {

core::Result<int> EraseCustomer(const ServeOptions& options, const CustomerEraseOptions& erase,
                                std::FILE* out) {
  SG_ASSIGN_OR_RETURN(auto config, LoadEffectiveConfig(options));
  const config::Domain* domain = config.FindDomain(erase.domain);
  if (domain == nullptr) {
    return core::MakeError(
        core::ErrorCode::kInvalidArgument,
        "--domain: '" + erase.domain + "' is not a domain of " + options.config_path);
  }
  SG_ASSIGN_OR_RETURN(const std::string phone, core::NormalizePhoneNumber("--phone", erase.phone));
  SG_ASSIGN_OR_RETURN(auto storage, store::OpenStorage(config.storage_url));
  SG_ASSIGN_OR_RETURN(const store::CustomerErased erased,
                      storage->conversations().EraseCustomer({domain->name, phone}));
  spdlog::info(
      "customers: erased {} of domain '{}': {} messages sent, {} received, {} chats, {} "
      "webhook events",
      obs::MaskPhone(phone), domain->name, erased.messages, erased.inbound, erased.chats,
      erased.webhook_events);
  if (erase.json) {
    const nlohmann::ordered_json body = {
        {"domain", domain->name},      {"customerPhoneNumber", phone},
        {"messages", erased.messages}, {"inboundMessages", erased.inbound},
        {"chats", erased.chats},       {"webhookEvents", erased.webhook_events}};
    std::fprintf(out, "%s\n", body.dump().c_str());
  } else {
    std::fprintf(out,
                 "erased customer %s of domain %s: %d messages sent, %d messages received, %d "
                 "chats, %d webhook events\n",
                 phone.c_str(), domain->name.c_str(), erased.messages, erased.inbound, erased.chats,
                 erased.webhook_events);
  }
  return 0;
}

}  // namespace socialgate::app
