using System.Net;
using Bifrost.Domain.Images;
using Microsoft.Extensions.Logging;

namespace Bifrost.Servers.Images;

/// <summary>
/// Downloads one URL into a file, hashing while it writes. Transient failures (connection refused or reset, a body
/// cut short, 5xx/408/429, a stall longer than <see cref="ImageOptions.DownloadStallTimeout"/>) are retried from the
/// start with doubling backoff; a 4xx other than 408/429 fails at once. A plain loop rather than a resilience
/// library: the policy is five lines and this is its only user.
/// </summary>
internal sealed class ImageDownloader(HttpClient http, ImageOptions options, TimeProvider time, ILogger log)
{
    private const int Chunk = 1024 * 1024;

    /// <summary>Downloads <paramref name="url"/> to <paramref name="target"/> (created or overwritten) and returns the
    /// digests of the bytes received.</summary>
    public async Task<Dictionary<string, string>> DownloadAsync(Uri url, string display, string target, IReadOnlyCollection<string> algorithms, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await AttemptAsync(url, target, algorithms, ct);
            }
            catch (Exception e) when (IsTransient(e, ct) && attempt <= options.DownloadRetries)
            {
                var delay = options.RetryBackoff * Math.Pow(2, attempt - 1);
                ImageMetrics.DownloadRetries.Add(1);
                Log.Retrying(log, display, attempt, Describe(e), delay);
                await Task.Delay(delay, time, ct);
            }
            catch (Exception e) when (e is HttpRequestException or IOException || (e is OperationCanceledException && !ct.IsCancellationRequested))
            {
                var tries = IsTransient(e, ct) ? $" (after {attempt} attempts)" : "";
                throw new ImageException($"Image download failed for {display}: {Describe(e)}{tries}", e);
            }
        }
    }

    private async Task<Dictionary<string, string>> AttemptAsync(Uri url, string target, IReadOnlyCollection<string> algorithms, CancellationToken ct)
    {
        using var stall = CancellationTokenSource.CreateLinkedTokenSource(ct);
        stall.CancelAfter(options.DownloadStallTimeout);
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, stall.Token);
        if (!response.IsSuccessStatusCode)
            throw new HttpRequestException($"GET answered {(int)response.StatusCode} {response.ReasonPhrase}", null, response.StatusCode);

        using var hash = new MultiHash(algorithms);
        await using var body = await response.Content.ReadAsStreamAsync(stall.Token);
        await using var file = new FileStream(target, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.SequentialScan);
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(Chunk);
        try
        {
            while (true)
            {
                stall.CancelAfter(options.DownloadStallTimeout); // restart the stall clock for every read
                var n = await body.ReadAsync(buffer.AsMemory(0, Chunk), stall.Token);
                if (n == 0) break;
                hash.Append(buffer.AsSpan(0, n));
                await file.WriteAsync(buffer.AsMemory(0, n), ct);
                ImageMetrics.DownloadedBytes.Add(n);
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
        if (response.Content.Headers.ContentLength is { } expected && expected != hash.Bytes)
            throw new IOException($"body ended after {hash.Bytes} of {expected} bytes");
        await file.FlushAsync(ct);
        file.Flush(flushToDisk: true); // the cache must survive a power cut as a whole file or not at all
        return hash.Finish();
    }

    private static bool IsTransient(Exception e, CancellationToken ct) => e switch
    {
        HttpRequestException { StatusCode: { } status } => (int)status >= 500 || status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests,
        HttpRequestException => true, // no status: refused, reset, DNS, TLS handshake cut
        IOException => true,          // reset or short body while reading
        OperationCanceledException => !ct.IsCancellationRequested, // our stall timer, not the caller
        _ => false,
    };

    private string Describe(Exception e) => e switch
    {
        OperationCanceledException => $"no data for {options.DownloadStallTimeout.TotalSeconds:0.#} s",
        HttpRequestException { InnerException: { } inner } when inner.Message.Length > 0 => $"{e.Message} ({inner.Message})",
        _ => e.Message,
    };
}
