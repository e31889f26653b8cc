// File: config/webhooks_config.hpp
//
// The [webhooks] table (docs/configuration.md): how long status events and unmatched statuses
// are kept, and [webhooks.meta], Meta's callback endpoint with its verify token and app secret;
// and each domain's [domains.callbacks], the URL and secret of its callbacks.
// Internal to the config module.
#pragma once

#include <toml++/toml.h>

#include "config/config.hpp"
#include "config/reader.hpp"

namespace socialgate::config {

core::Result<void> ReadWebhooks(const Reader& r, const toml::table& t, WebhookSettings& w);

// A domain's [domains.callbacks] table at `where`.
core::Result<void> ReadCallbacks(const Reader& r, const toml::table& t, const std::string& where,
                                 CallbackSettings& c);

}  // namespace socialgate::config
