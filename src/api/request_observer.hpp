// File: api/request_observer.hpp
//
// The request log and the request metrics, from what the HTTP server reports of each answer
// (http::ServerOptions::on_answered):
//   - one log line per request, at info: its id (X-Request-Id), method, endpoint (the route's
//     pattern, never the path: a path can carry a customer's number), status, duration and
//     client address;
//   - socialgate_http_requests_total{endpoint,method,status} and
//     socialgate_http_request_duration_seconds{endpoint}.
// A request that matched no endpoint is "unmatched"; one whose request line could not be read,
// "unparsed"; a method outside HTTP's usual ones, "other": what a client sends cannot grow the
// number of series.
#pragma once

#include <functional>

#include "http/request_record.hpp"
#include "obs/metrics.hpp"

namespace socialgate::api {

std::function<void(const http::AnsweredRequest&)> RequestObserver(obs::Registry& registry);

}  // namespace socialgate::api
