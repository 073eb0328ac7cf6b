"""Java java.net.http, OkHttp and Ruby Net::HTTP calls to Belvo whose URL sits in a variable: recognised,
and judged on each client's own timeout rules; Go's default-client wording names the client used."""

from __future__ import annotations

from belvo_check.source import scan

JAVA_NET_HTTP = """package com.acme;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

public class Sync {
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base = System.getenv("BELVO_API_URL");

    public String owners(String linkId) throws Exception {
        String url = base + "/api/owners/?link=" + linkId;
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).build();
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
        return response.body();
    }

    public String create(String body) throws Exception {
        String url = base + "/api/links/";
        HttpRequest request = HttpRequest.newBuilder(URI.create(url))
            .timeout(Duration.ofSeconds(30))
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 200) {
            return response.body();
        }
        throw new IllegalStateException("belvo " + response.statusCode());
    }
}
"""

RUBY_NET_HTTP = """require 'net/http'

class Sync
  BASE = ENV.fetch('BELVO_API_URL')

  def owners(link_id)
    url = "#{BASE}/api/owners/?link=#{link_id}"
    uri = URI(url)
    http = Net::HTTP.new(uri.host, uri.port)
    http.read_timeout = nil
    http.get(uri.request_uri).body
  end

  def register(body)
    uri = URI.parse("#{BASE}/api/links/")
    Net::HTTP.start(uri.host, uri.port, use_ssl: true, read_timeout: 10) do |http|
      response = http.request(Net::HTTP::Post.new(uri))
      raise 'failed' unless response.code.to_i == 200
      response.body
    end
  end

  def ping
    other = URI("https://status.example.com/health")
    Net::HTTP.get_response(other)
  end
end
"""


def _findings(tmp_path, name, text, concept):
    (tmp_path / name).write_text(text)
    return {(f.line, f.col): (f.verdict, f.message) for f in scan(tmp_path, jobs=1).findings
            if f.concept == concept and f.path == name}


def test_java_net_http_builder_with_a_url_variable_is_a_belvo_call(tmp_path):
    timeouts = _findings(tmp_path, "Sync.java", JAVA_NET_HTTP, "timeout")
    # Each request is found once, at its builder (the send of the built request is no second call).
    assert set(timeouts) == {(15, 31), (22, 31)}
    verdict, message = timeouts[(15, 31)]
    assert verdict == "bad" and "connectTimeout bounds only the connection" in message
    assert timeouts[(22, 31)][0] == "ok"  # the request's own .timeout(...), on the next line of the chain


def test_java_net_http_reads_get_by_default_and_post_from_the_chain(tmp_path):
    (tmp_path / "Sync.java").write_text(JAVA_NET_HTTP)
    found = {(f.concept, f.line, f.verdict) for f in scan(tmp_path, jobs=1).findings if f.path}
    assert ("pagination", 15, "bad") in found  # a GET of a list whose next is never read
    assert ("create_status", 27, "bad") in found  # the POST built over three lines, judged by == 200


def test_ruby_net_http_url_traced_through_uri_and_judged_per_instance(tmp_path):
    timeouts = _findings(tmp_path, "sync.rb", RUBY_NET_HTTP, "timeout")
    assert set(timeouts) == {(11, 5), (17, 18)}  # the status.example.com call is not Belvo's
    assert timeouts[(11, 5)] == ("bad", ("the Net::HTTP client behind this call (line 9) switches its timeout "
                                         "off: it waits forever"))
    assert timeouts[(17, 18)][0] == "ok"  # read_timeout given to Net::HTTP.start, whose block yields `http`


def test_ruby_net_http_method_read_from_the_request_object(tmp_path):
    (tmp_path / "sync.rb").write_text(RUBY_NET_HTTP)
    found = {(f.concept, f.line, f.verdict) for f in scan(tmp_path, jobs=1).findings if f.path}
    assert ("create_status", 18, "bad") in found  # Net::HTTP::Post.new(uri): a create, which answers 201
    assert ("pagination", 11, "bad") in found


def test_net_http_default_and_connect_only_settings(tmp_path):
    text = """require 'net/http'
BASE = ENV.fetch('BELVO_API_URL')
def institution(id)
  uri = URI("#{BASE}/api/institutions/#{id}/")
  Net::HTTP.start(uri.host, uri.port, open_timeout: 5) { |http| http.get(uri.path) }
end
"""
    timeouts = _findings(tmp_path, "one.rb", text, "timeout")
    # open_timeout bounds only the connection; Net::HTTP's own 60 s read timeout still bounds the answer
    assert timeouts == {(5, 65): ("ok", ("the Net::HTTP client behind this call (line 5) is built without a "
                                         "timeout: Net::HTTP defaults to 60 s read and open timeouts"))}


def test_okhttp_read_timeout_zero_waits_forever_and_call_timeout_bounds(tmp_path):
    text = """package com.acme;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import okhttp3.Request;
public class Ok {
    private final OkHttpClient bounded = new OkHttpClient.Builder().callTimeout(Duration.ofSeconds(20)).build();
    private final OkHttpClient forever = new OkHttpClient.Builder().readTimeout(0, TimeUnit.SECONDS).build();
    private final String belvoUrl = System.getenv("BELVO_API_URL");
    public Object a() throws Exception {
        Request request = new Request.Builder().url(belvoUrl + "/api/links/x/").build();
        return bounded.newCall(request).execute();
    }
    public Object b() throws Exception {
        Request request = new Request.Builder().url(belvoUrl + "/api/links/y/").build();
        return forever.newCall(request).execute();
    }
}
"""
    timeouts = _findings(tmp_path, "Ok.java", text, "timeout")
    assert {where: verdict for where, (verdict, _) in timeouts.items()} == {(11, 27): "ok", (15, 27): "bad"}


def test_go_client_without_timeout_is_named_as_built(tmp_path):
    text = """package belvo

import (
	"net/http"
	"os"
)

var base = os.Getenv("BELVO_URL")
var plain = &http.Client{}

func Owners() (*http.Response, error) {
	url := base + "/api/owners/"
	return plain.Get(url)
}
"""
    timeouts = _findings(tmp_path, "owners.go", text, "timeout")
    assert list(timeouts) == [(13, 9)]
    verdict, message = timeouts[(13, 9)]
    assert verdict == "bad" and message.startswith("the net/http client behind this call (line 9) is built "
                                                   "without a timeout: a Go http.Client waits forever")


def test_faraday_block_configures_its_builder_not_a_client_named_after_it(tmp_path):
    text = """require 'faraday'
class Gateway
  def initialize
    @timed = Faraday.new(url: ENV['BELVO_URL']) do |f|
      f.options.timeout = 20
    end
    @plain = Faraday.new(url: ENV['BELVO_URL']) do |f|
      f.response :json
    end
  end

  def links
    @timed.get('/api/links/x/')
  end

  def owners
    @plain.get('/api/owners/x/')
  end
end
"""
    timeouts = _findings(tmp_path, "gateway.rb", text, "timeout")
    # `f` is each client's builder: the timeout set through it belongs to @timed only
    assert timeouts[(13, 5)] == ("ok", "the Faraday client behind this call (line 4) has a timeout")
    assert timeouts[(17, 5)][0] == "ambiguous"  # Faraday's default is its adapter's
