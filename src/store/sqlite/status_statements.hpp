// File: store/sqlite/status_statements.hpp
//
// The SQL of delivery statuses: a provider's report moves its message's status forward
// (status_order.hpp) and joins its history. Every function needs the connection's mutex held;
// the write runs on the committer, inside its transaction.
#pragma once

#include <vector>

#include "core/error.hpp"
#include "store/delivery_statuses.hpp"
#include "store/sqlite/connection.hpp"
#include "store/write.hpp"

namespace socialgate::store::sqlite {

// kNotFound when no message has the provider message id.
core::Result<Written> RecordDeliveryStatus(Connection& db, const DeliveryStatus& status);
core::Result<std::vector<UnfinishedDelivery>> UnfinishedDeliveries(Connection& db, int limit);

}  // namespace socialgate::store::sqlite
