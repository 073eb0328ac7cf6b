using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace BankSync.Belvo;

public record BelvoLink(string Id, string Institution, string Status);
public record BelvoTransaction(string Id, decimal Amount, string Description, string Collected_At);
public record Page<T>(int Count, string? Next, List<T> Results);

public class BelvoClient
{
    private readonly HttpClient _http;
    private readonly ILogger<BelvoClient> _log;

    public BelvoClient(HttpClient http, IConfiguration config, ILogger<BelvoClient> log)
    {
        _http = http;
        _log = log;
        _http.BaseAddress = new Uri(config["Belvo:BaseUrl"]!);
        _http.Timeout = TimeSpan.FromSeconds(30);
        _http.DefaultRequestHeaders.Authorization =
            new AuthenticationHeaderValue("Basic", "ZTFhMmIzYzQtZDVlNi00NzA4LTk5YWEtYmJjY2RkZWVmZjAwOlQ5cVdlUnRZdUlvUGFTZEZnSGpLbFp4QzRWYk5tMjA=");
    }

    public async Task<BelvoLink> CreateLinkAsync(string institution, string username, string password, string externalId)
    {
        var resp = await _http.PostAsJsonAsync("/api/links/", new
        {
            institution, username, password, external_id = externalId, access_mode = "recurrent"
        });
        if (resp.StatusCode == HttpStatusCode.OK)
        {
            return (await resp.Content.ReadFromJsonAsync<BelvoLink>())!;
        }
        var body = await resp.Content.ReadAsStringAsync();
        _log.LogError("Belvo link creation failed: {Status} {Body}", (int)resp.StatusCode, body);
        throw new HttpRequestException($"belvo {(int)resp.StatusCode}");
    }

    public async IAsyncEnumerable<BelvoTransaction> TransactionsAsync(string linkId)
    {
        string? url = $"/api/transactions/?link={linkId}&page_size=1000";
        while (url != null)
        {
            var resp = await _http.GetAsync(url);
            if (!resp.IsSuccessStatusCode)
            {
                _log.LogError("Belvo transactions failed: {Status} {Body}", (int)resp.StatusCode,
                    await resp.Content.ReadAsStringAsync());
                yield break;
            }
            var page = await resp.Content.ReadFromJsonAsync<Page<BelvoTransaction>>();
            foreach (var t in page!.Results) yield return t;
            url = page.Next;
        }
    }

    public async Task DeleteLinkAsync(string linkId)
    {
        var resp = await _http.DeleteAsync($"/api/links/{linkId}/");
        var result = await resp.Content.ReadFromJsonAsync<JsonElement>();
        _log.LogInformation("deleted link {Link}: {Result}", linkId, result);
    }

    public static DateTime ParseCollectedAt(string value) =>
        DateTime.ParseExact(value, "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture,
            DateTimeStyles.AdjustToUniversal);
}
