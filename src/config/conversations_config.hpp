// File: config/conversations_config.hpp
//
// The [conversations] table (config.hpp's ConversationSettings). Internal to the config module.
#pragma once

#include <toml++/toml.h>

#include "config/config.hpp"
#include "config/reader.hpp"

namespace socialgate::config {

core::Result<void> ReadConversationSettings(const Reader& r, const toml::table& t,
                                            ConversationSettings& s);

}  // namespace socialgate::config
