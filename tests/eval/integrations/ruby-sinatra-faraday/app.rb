require "sinatra"
require "rack/utils"
require_relative "lib/belvo_gateway"
require_relative "lib/ledger"

BELVO = BelvoGateway.new
WEBHOOK_SECRET = ENV.fetch("BELVO_WEBHOOK_SECRET")

post "/links" do
  body = JSON.parse(request.body.read)
  begin
    link = BELVO.create_link(institution: body["institution"], username: body["username"],
                             password: body["password"], external_id: body["email"])
  rescue BelvoGateway::Error => e
    logger.error(e.message)
    halt 502, { error: "bank connection failed" }.to_json
  end
  Ledger.save_link(link, body["user_id"])
  status 201
  { id: link["id"] }.to_json
end

post "/belvo/webhooks" do
  halt 401 unless Rack::Utils.secure_compare(request.env["HTTP_AUTHORIZATION"].to_s, WEBHOOK_SECRET)
  event = JSON.parse(request.body.read)
  case [event["webhook_type"], event["webhook_code"]]
  in ["TRANSACTIONS", "new_transactions_available" | "historical_update"]
    since = (Date.today - 30).iso8601
    Thread.new do
      BELVO.each_transaction(event["link_id"], since) { |t| Ledger.add_transaction(event["link_id"], t) }
    rescue StandardError => e
      warn "sync failed for #{event['link_id']}: #{e.message}"
    end
  in ["LINK", "token_required" | "invalid_credentials"]
    Ledger.mark(event["link_id"], "needs_reconnect")
  else
    nil
  end
  status 200
end

delete "/links/:id" do
  BELVO.delete_link(params[:id])
  Ledger.mark(params[:id], "deleted")
  status 204
end
