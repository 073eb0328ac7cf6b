require "date"
require "sequel"

DB = Sequel.connect(ENV.fetch("DATABASE_URL"))

module Ledger
  module_function

  def parse_time(value)
    DateTime.strptime(value, "%Y-%m-%dT%H:%M:%S.%LZ")
  end

  def save_link(link, user_id)
    DB[:links].insert(
      belvo_id: link["id"],
      user_id: user_id,
      institution: link["institution"],
      institution_user_id: link["institution_user_id"],
      status: link["status"]
    )
  end

  def mark(link_id, status)
    DB[:links].where(belvo_id: link_id).update(status: status)
  end

  def add_transaction(link_id, t)
    DB[:transactions].insert(
      belvo_id: t["id"],
      link_id: link_id,
      amount: t["amount"],
      description: t["description"],
      collected_at: parse_time(t["collected_at"])
    )
  end
end
