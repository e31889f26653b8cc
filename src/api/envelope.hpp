// File: api/envelope.hpp
//
// The one table that maps an ErrorCode to an HTTP status (DESIGN-BRIEF section 1), and the
// response envelope built from it.
#pragma once

#include "core/error.hpp"
#include "http/message.hpp"

namespace socialgate::api {

unsigned HttpStatusFor(core::ErrorCode code);

// {"result": false, "error": error.message} with the status of its code.
http::HttpResponse ErrorResponse(const core::Error& error);

}  // namespace socialgate::api
