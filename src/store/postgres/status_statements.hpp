// File: store/postgres/status_statements.hpp
//
// The SQL of delivery statuses in PostgreSQL: a provider's report moves its message's status
// forward (status_order.hpp) and joins its history, as store/sqlite/status_statements.hpp does
// for SQLite. The message's row is read FOR UPDATE: two instances applying reports of one
// message at once take turns, so neither moves its status back.
#pragma once

#include <vector>

#include "core/error.hpp"
#include "store/delivery_statuses.hpp"
#include "store/postgres/connection.hpp"
#include "store/write.hpp"

namespace socialgate::store::postgres {

// kNotFound when no message has the provider message id.
core::Result<Written> RecordDeliveryStatus(Connection& db, const DeliveryStatus& status);
core::Result<std::vector<UnfinishedDelivery>> UnfinishedDeliveries(Connection& db, int limit);

}  // namespace socialgate::store::postgres
