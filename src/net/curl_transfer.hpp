// File: net/curl_transfer.hpp
//
// One libcurl request in flight, for the curl client's loop (curl_http_client.cpp): the easy
// handle with everything libcurl reads from or writes to while it runs, set up with every
// option the client relies on, each checked. Internal to net/.
//
// Thread safety: a Transfer belongs to one thread at a time (the caller's, then the loop's).
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include <curl/curl.h>

#include "core/error.hpp"
#include "net/http_client.hpp"
#include "util/start_limit.hpp"

namespace socialgate::net {

struct EasyCleanup {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
using EasyHandle = std::unique_ptr<CURL, EasyCleanup>;

struct SlistFree {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
struct MimeFree {
  void operator()(curl_mime* m) const { curl_mime_free(m); }
};

// The response being read, and the body size it may reach (beyond it: overflow, and the
// transfer fails).
struct Collected {
  ClientResponse* response;
  std::size_t limit;
  bool overflow = false;
};

// A multipart part libcurl reads through a callback, so a part of megabytes (a media file) is
// not copied. libcurl may rewind it to send the request again; OnAboutToSend then decides
// whether the request may be re-sent, for every kind of body alike.
struct PartReader {
  const std::string* data;
  std::size_t pos = 0;
};

// One request in flight: everything libcurl reads from or writes to while it runs.
struct Transfer {
  ClientRequest request;
  HttpClient::Completion done;
  ClientResponse response;
  Collected collected{&response, 0};
  std::unique_ptr<curl_slist, SlistFree> headers;
  std::unique_ptr<curl_mime, MimeFree> mime;
  std::vector<PartReader> parts;  // stable addresses: reserved before use
  EasyHandle easy;
  util::StartLimit* reserved_on = nullptr;  // request.start_limit, once it reserved a start
  bool sent = false;                        // libcurl has begun to send it
  bool refused_resend = false;              // OnAboutToSend stopped libcurl sending it again
};

// Calls a request's completion. A completion must not throw (http_client.hpp); one that does
// is logged and the loop goes on: an exception leaving the loop's thread would end the process,
// and with it every request in flight.
void Answer(const HttpClient::Completion& done, core::Result<ClientResponse> result);

// Sets up `t` on its easy handle: every option it relies on, each checked. A request libcurl
// refuses an option for is never sent: without CURLOPT_PREREQFUNCTION it would lose the guard
// against re-sending a POST, without a timeout it could hang. On the loop thread (or once at
// creation, on a probe that is never sent).
core::Result<void> Configure(Transfer& t, std::size_t max_response_bytes);

// Sets up one request of each kind the providers make (a JSON POST over HTTPS, a multipart
// upload, a GET, another method) on a handle that is never sent: libcurl refuses an option it
// does not know (CURLOPT_PREREQFUNCTION before 7.80, CURLOPT_PROTOCOLS_STR before 7.85) only when
// it is set, and a client that cannot set every request up must not start.
core::Result<void> ProbeOptions(std::size_t max_response_bytes);

}  // namespace socialgate::net
