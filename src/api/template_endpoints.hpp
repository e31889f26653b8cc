// File: api/template_endpoints.hpp
//
// GET /livechat/{domain}/templates: the templates the domain's business numbers can send, from
// their catalogs (templates/catalog.hpp; docs/templates.md), each as api/template_json.hpp shows
// it, ordered by account, name and language. Filters, each optional and given at most once:
//   ?number=<a business number of the domain>  (also servicePhoneNumber)
//   &name=<template name>                      (also templateName)
//   &language=<code>  &status=<APPROVED, PAUSED, ...>
// Answer: {"result":true,"error":null,"templates":[...],"catalogs":[{"account",
// "servicePhoneNumbers","synchronisedAt" (null before the first synchronisation),"templates"}]}.
// A user limited to some numbers sees those numbers' catalogs only (403 for another number).
// An unknown parameter is 400 naming it. Reads memory only: answered on the I/O thread.
#pragma once

#include <string>
#include <vector>

#include "api/endpoint.hpp"

namespace socialgate::api {

class TemplateEndpoints {
 public:
  explicit TemplateEndpoints(const ApiDependencies& deps) : deps_(deps) {}

  // Handlers hold `this`: it must outlive the routes.
  std::vector<Endpoint> Endpoints();

 private:
  void List(const config::Domain& domain, const auth::Principal& principal,
            const std::string& query, const http::Responder& respond) const;

  ApiDependencies deps_;
};

}  // namespace socialgate::api
