// File: fake-graph/meta_error.hpp
//
// Meta Graph API error bodies, as the Cloud API sends them:
//   {"error":{"message":"(#CODE) Title","type":"OAuthException","code":CODE,
//             "error_data":{"messaging_product":"whatsapp","details":"..."},
//             "fbtrace_id":"A..."}}
// with each code's usual title and HTTP status (docs/meta-cloud-api.md section 3), so a fault
// rule need only name the code.
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "http/message.hpp"

namespace socialgate::fake_graph {

// Meta's title for the code ("Invalid parameter" for 100); "Unknown error" for codes not known.
std::string_view DefaultTitle(int code);

// The HTTP status Meta uses with the code: 401 for 0 and 190; 403 for 10, 200-299, 368, 130497,
// 131005 and 131031; 404 for 132001; 500 for 3, 131000, 131016, 131045 and 131057; 503 for 2
// and 133004; 400 otherwise (including the throttling codes, as Meta does).
unsigned DefaultHttpStatus(int code);

// The error response. An empty title means DefaultTitle(code).
http::HttpResponse MetaError(int code, unsigned http_status, std::string_view title,
                             std::string_view details, std::string_view fbtrace_id);

// Meta's answer to a request for an object that does not exist or that the token may not see
// (HTTP 400, code 100, error_subcode 33), with its own message and type, not "(#100) ...":
//   {"error":{"message":"Unsupported get request. Object with ID '<id>' does not exist, cannot
//    be loaded due to missing permissions, or does not support this operation. Please read the
//    Graph API documentation at https://developers.facebook.com/docs/graph-api",
//    "type":"GraphMethodException","code":100,"error_subcode":33,"fbtrace_id":"A..."}}
// `method` is the request's, shown in lower case ("get").
http::HttpResponse UnknownObjectError(std::string_view method, std::string_view object_id,
                                      std::string_view fbtrace_id);

}  // namespace socialgate::fake_graph
