// File: api/envelope.hpp
//
// The one table that maps an ErrorCode to an HTTP status (DESIGN-BRIEF section 1), and the
// response envelope built from it.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "http/message.hpp"

namespace socialgate::api {

unsigned HttpStatusFor(core::ErrorCode code);

// {"result": false, "error": error.message} with the status of its code.
http::HttpResponse ErrorResponse(const core::Error& error);

// `body` (the envelope and its additive fields) with `status`; invalid UTF-8 in it is
// replaced, never thrown over.
http::HttpResponse JsonAnswer(unsigned status, const nlohmann::ordered_json& body);
// The same for a body already written (util::JsonWriter).
http::HttpResponse JsonAnswer(unsigned status, std::string body);

}  // namespace socialgate::api
