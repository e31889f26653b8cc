// File: providers/meta/meta_provider.hpp
//
// The WhatsApp Cloud API provider for one business number: uploads a media header once per
// distinct file (MediaCache), posts the template message, and classifies Meta's answer with
// the table in meta_errors.cpp. The access token is sent as a bearer token and never logged.
#pragma once

#include "config/config.hpp"
#include "net/http_client.hpp"
#include "providers/provider.hpp"
#include "templates/catalog.hpp"

namespace socialgate::providers {

// `http` must outlive the provider; it is shared by every number. `message_starts`, when set,
// holds the number's message posts to its rate as they leave (see util::StartLimit).
// `catalogs`, when set, must outlive the provider: a template the number's account
// (settings.waba_id) has in it is sent in the template's real shape (meta_payload.hpp).
ProviderPtr MakeMetaProvider(const config::MetaSettings& settings, net::HttpClient& http,
                             std::shared_ptr<util::StartLimit> message_starts = nullptr,
                             const templates::Catalogs* catalogs = nullptr);

}  // namespace socialgate::providers
