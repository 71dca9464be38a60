using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Bifrost.Host.Cli;

/// <summary>
/// The REST client behind the <c>bifrost</c> client verbs: Ironic's microversion header, HTTP Basic credentials when
/// given, Ironic error bodies turned into one line and an exit code. The password only ever goes into the
/// Authorization header; no message here contains it.
/// </summary>
public sealed class BifrostClient : IDisposable
{
    public const string ApiVersion = "1.82";
    private readonly HttpClient _http;

    public BifrostClient(Uri baseUri, string? user, string? password, TimeSpan requestTimeout)
    {
        BaseUri = baseUri;
        _http = new HttpClient { BaseAddress = baseUri, Timeout = requestTimeout };
        _http.DefaultRequestHeaders.Add("X-OpenStack-Ironic-API-Version", ApiVersion);
        _http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("bifrost-cli", "1"));
        if (!string.IsNullOrEmpty(user))
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
                Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
    }

    public Uri BaseUri { get; }

    public Task<JsonNode?> GetAsync(string path, CancellationToken ct) => SendAsync(HttpMethod.Get, path, null, ct);

    public Task<JsonNode?> PostAsync(string path, JsonNode body, CancellationToken ct) => SendAsync(HttpMethod.Post, path, body, ct);

    public Task<JsonNode?> PutAsync(string path, JsonNode? body, CancellationToken ct) => SendAsync(HttpMethod.Put, path, body, ct);

    public Task<JsonNode?> PatchAsync(string path, JsonNode body, CancellationToken ct) => SendAsync(HttpMethod.Patch, path, body, ct);

    public Task<JsonNode?> DeleteAsync(string path, CancellationToken ct) => SendAsync(HttpMethod.Delete, path, null, ct);

    /// <summary>Null when the answer has no body (202, 204).</summary>
    public async Task<JsonNode?> SendAsync(HttpMethod method, string path, JsonNode? body, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, ct);
        }
        catch (HttpRequestException e)
        {
            var why = e.InnerException is SocketException s ? s.SocketErrorCode switch
            {
                SocketError.ConnectionRefused => "connection refused",
                SocketError.HostNotFound or SocketError.TryAgain => "unknown host",
                _ => s.Message,
            } : e.Message;
            throw new CliException(ExitCodes.Unreachable, $"cannot reach the Bifrost API at {BaseUri}: {why} (set --url or BIFROST_URL)");
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new CliException(ExitCodes.Unreachable, $"the Bifrost API at {BaseUri} did not answer within {_http.Timeout.TotalSeconds:0} s");
        }

        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(ct);
            if (response.IsSuccessStatusCode)
                return string.IsNullOrWhiteSpace(text) ? null : Parse(text, method, path);
            var message = ErrorMessage(text) ?? $"{(int)response.StatusCode} {response.ReasonPhrase}";
            var code = response.StatusCode switch
            {
                HttpStatusCode.NotFound => ExitCodes.NotFound,
                HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => ExitCodes.AuthFailed,
                _ => ExitCodes.ApiError,
            };
            if (code == ExitCodes.AuthFailed)
                message = $"{(int)response.StatusCode} {response.ReasonPhrase}: check --user/--password or BIFROST_USER/BIFROST_PASSWORD ({message})";
            throw new CliException(code, $"{method} {path}: {message}");
        }
    }

    private static JsonNode? Parse(string text, HttpMethod method, string path)
    {
        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException e)
        {
            throw new CliException(ExitCodes.ApiError, $"{method} {path}: the answer is not JSON ({e.Message})");
        }
    }

    /// <summary>Ironic's error body is JSON in JSON: {"error_message": "{\"faultstring\": ...}"}; routing errors
    /// use {"error_message": {"title", "description"}}.</summary>
    internal static string? ErrorMessage(string body)
    {
        try
        {
            var outer = JsonNode.Parse(body)?["error_message"];
            if (outer is JsonValue v && v.TryGetValue<string>(out var inner))
            {
                try
                {
                    return JsonNode.Parse(inner)?["faultstring"]?.GetValue<string>() ?? inner;
                }
                catch (JsonException)
                {
                    return inner;
                }
            }
            if (outer is JsonObject o) return o["description"]?.GetValue<string>() ?? o["title"]?.GetValue<string>();
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
        }
        return body.Length is > 0 and < 300 ? body.Trim() : null;
    }

    /// <summary>A path segment for a node or port name/UUID.</summary>
    public static string Segment(string ident) => Uri.EscapeDataString(ident);

    public void Dispose() => _http.Dispose();
}
