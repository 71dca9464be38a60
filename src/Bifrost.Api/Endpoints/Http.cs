using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Bifrost.Api.Errors;
using Bifrost.Api.Requests;
using Bifrost.Api.Versioning;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Bifrost.Api.Endpoints;

/// <summary>Request and response plumbing shared by the endpoint groups.</summary>
internal static class Http
{
    public static ApiVersion Version(HttpContext context) => VersionMiddleware.Of(context);

    /// <summary>The base of Ironic's links, taken from the request as Ironic does.</summary>
    public static string BaseUrl(HttpRequest request) => $"{request.Scheme}://{request.Host}";

    /// <summary>
    /// Reads the body as JSON; null when empty. Malformed JSON is a 400. A body over
    /// <see cref="ApiOptions.MaxBodyBytes"/> is a 413 — after reading the rest of it, because a client still
    /// uploading when the answer comes sees a reset connection instead of the error (the server's hard cap on
    /// bodies, <see cref="ApiOptions.HardBodyLimitBytes"/>, bounds that reading).
    /// </summary>
    public static async Task<JsonNode?> ReadJsonAsync(HttpRequest request, CancellationToken ct)
    {
        var limit = request.HttpContext.RequestServices.GetRequiredService<ApiOptions>().MaxBodyBytes;
        using var buffer = new MemoryStream();
        var chunk = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
            {
                if (buffer.Length + read > limit)
                {
                    while (await request.Body.ReadAsync(chunk, ct) > 0) { } // drain, see above
                    throw new ApiException(413, $"Request body too large: the limit is {limit / 1024} KiB.");
                }
                buffer.Write(chunk, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
        if (buffer.Length == 0) return null;
        try
        {
            return JsonNode.Parse(buffer.GetBuffer().AsSpan(0, (int)buffer.Length),
                documentOptions: new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException e)
        {
            throw ApiException.BadRequest($"Malformed JSON in request body: {e.Message}");
        }
    }

    /// <summary>Requires a minimum microversion for a feature; Ironic answers 406 below it.</summary>
    public static void Require(HttpContext context, ApiVersion since)
    {
        if (Version(context) < since) throw ApiException.NotAcceptable();
    }

    /// <summary>?fields=a,b: each name must satisfy <paramref name="isField"/> (Ironic answers 500 here; we 400).</summary>
    public static HashSet<string>? FieldList(HttpContext context, Func<string, bool> isField)
    {
        var raw = Query(context, "fields");
        if (raw is null) return null;
        var fields = raw.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .ToHashSet(StringComparer.Ordinal);
        var bad = fields.Where(f => !isField(f)).ToList();
        return bad.Count > 0
            ? throw ApiException.BadRequest($"Field(s) \"{string.Join(", ", bad)}\" are not valid")
            : fields;
    }

    public static string? Query(HttpContext context, string name)
    {
        var v = context.Request.Query[name];
        return v.Count == 0 ? null : v.ToString();
    }

    public static bool? QueryBool(HttpContext context, string name)
    {
        var raw = Query(context, name);
        if (raw is null) return null;
        return Fields.TryParseBool(raw, out var b)
            ? b
            : throw ApiException.BadRequest(
                $"Unrecognized value '{raw}', acceptable values are: '0', '1', 'f', 'false', 'n', 'no', 'off', 'on', 't', 'true', 'y', 'yes'");
    }

    /// <summary>Ironic's limit: positive, capped at max_limit; 0 or absent means max_limit.</summary>
    public static int Limit(HttpContext context, int maxLimit)
    {
        var raw = Query(context, "limit");
        if (raw is null) return maxLimit;
        if (!int.TryParse(raw, out var limit)) throw ApiException.BadRequest($"Invalid limit value: {raw}");
        if (limit < 0) throw ApiException.BadRequest("Limit must be positive");
        return limit == 0 ? maxLimit : Math.Min(limit, maxLimit);
    }

    public static Guid? Marker(HttpContext context)
    {
        var raw = Query(context, "marker");
        if (raw is null) return null;
        return Guid.TryParse(raw, out var g) ? g : throw ApiException.BadRequest($"Invalid marker: {raw} is not a UUID");
    }

    /// <summary>
    /// Lists of up to max_limit items are the API's only large answers (a 1,000-node detail list is ~2.3 MB and as
    /// many live objects). They are CPU-bound, so running more at once than there are cores adds no throughput, only
    /// memory: at most one per core is produced at a time, the others wait their turn.
    /// </summary>
    private static readonly SemaphoreSlim ListGate = new(Math.Max(1, Environment.ProcessorCount));

    /// <summary>Runs a list request (query and writing the answer) under <see cref="ListGate"/>.</summary>
    public static async Task<IResult> GatedList(HttpContext context, Func<Task<IResult>> produce)
    {
        await ListGate.WaitAsync(context.RequestAborted);
        try
        {
            var result = await produce();
            await result.ExecuteAsync(context);
            return Results.Empty;
        }
        finally
        {
            ListGate.Release();
        }
    }

    /// <summary>Ironic's collection answer: <c>{"KEY": [items], "next": URL}</c>, "next" only when a page is full.</summary>
    public static IResult Collection<T>(string key, IReadOnlyList<T> items, Action<Utf8JsonWriter, T> writeItem, string? next) =>
        Json(200, w =>
        {
            w.WriteStartObject();
            w.WritePropertyName(key);
            w.WriteStartArray();
            foreach (var item in items) writeItem(w, item);
            w.WriteEndArray();
            if (next is not null) w.WriteString("next", next);
            w.WriteEndObject();
        });

    public static IResult Json(int status, Action<Utf8JsonWriter> write, string? location = null) =>
        new JsonBodyResult(status, write, location);

    /// <summary>202 with an empty body and no Content-Type (the CLI warns about a JSON type on an empty body).</summary>
    public static IResult Accepted(string? location = null) => new EmptyResult(StatusCodes.Status202Accepted, location);

    public static IResult NoContent() => new EmptyResult(StatusCodes.Status204NoContent, null);

    /// <summary>Relaxed escaping: '+' in timestamps and quotes in messages stay readable, as in Ironic's output.</summary>
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        SkipValidation = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private sealed class JsonBodyResult(int status, Action<Utf8JsonWriter> write, string? location) : IResult
    {
        public async Task ExecuteAsync(HttpContext context)
        {
            var response = context.Response;
            response.StatusCode = status;
            response.ContentType = "application/json";
            if (location is not null) response.Headers.Location = location;

            // Written into the response pipe (pooled 4 KiB blocks) rather than one growing array per answer: a
            // 1,000-node detail list is 2.3 MB, and a fresh large buffer per request is what grew the process.
            var pipe = response.BodyWriter;
            using (var writer = new Utf8JsonWriter(pipe, WriterOptions))
                write(writer);
            // Nothing is sent before the flush, so the length is still ours to announce (as Ironic does).
            if (pipe.CanGetUnflushedBytes) response.ContentLength = pipe.UnflushedBytes;
            await pipe.FlushAsync(context.RequestAborted);
        }
    }

    private sealed class EmptyResult(int status, string? location) : IResult
    {
        public Task ExecuteAsync(HttpContext context)
        {
            context.Response.StatusCode = status;
            context.Response.ContentLength = 0;
            if (location is not null) context.Response.Headers.Location = location;
            return Task.CompletedTask;
        }
    }
}
