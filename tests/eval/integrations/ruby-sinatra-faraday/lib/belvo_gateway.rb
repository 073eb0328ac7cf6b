require "erb"
require "faraday"
require "json"
require "logger"
require "yaml"

class BelvoGateway
  class Error < StandardError; end

  LOG = Logger.new($stdout)

  def self.settings
    env = ENV.fetch("APP_ENV", "production")
    YAML.safe_load(ERB.new(File.read(File.expand_path("../config/belvo.yml", __dir__))).result)[env]
  end

  def initialize(settings = self.class.settings)
    @http = Faraday.new(url: settings["url"]) do |f|
      f.request :authorization, :basic, settings["secret_id"], settings["secret_password"]
      f.request :json
      f.response :json
      f.options.timeout = 20
      f.options.open_timeout = 5
    end
  end

  def create_link(institution:, username:, password:, external_id:)
    resp = @http.post("/api/links/", institution: institution, username: username, password: password,
                                     external_id: external_id, access_mode: "recurrent")
    raise Error, "link creation failed (#{resp.status})" unless resp.success?
    resp.body
  end

  def each_transaction(link_id, since)
    url = "/api/transactions/"
    params = { link: link_id, value_date__gte: since, page_size: 1000 }
    while url
      resp = @http.get(url, params)
      raise Error, "transactions failed (#{resp.status})" unless resp.success?
      resp.body["results"].each { |t| yield t }
      url = resp.body["next"]
      params = {}
    end
  end

  def delete_link(link_id)
    resp = @http.delete("/api/links/#{link_id}/")
    raise Error, "delete failed (#{resp.status})" unless resp.status == 204
  end
end
