using System.Net;

namespace Bifrost.Api.Auth;

/// <summary>
/// Failed logins per client address as a token bucket: <see cref="Burst"/> failures at once, then one more every
/// <see cref="Refill"/>. A client with an empty bucket is answered 429 without a password check (which is also what
/// keeps a password-guessing client from burning the CPU on PBKDF2). Successful logins cost nothing.
/// </summary>
public sealed class LoginThrottle(TimeProvider time, int burst = 5, TimeSpan? refill = null)
{
    private const int MaxTracked = 10_000;
    private readonly Dictionary<IPAddress, Bucket> _buckets = [];
    private readonly Lock _gate = new();

    public int Burst => burst;
    public TimeSpan Refill { get; } = refill ?? TimeSpan.FromSeconds(12);

    private sealed class Bucket
    {
        public double Tokens;
        public DateTimeOffset Updated;
    }

    /// <summary>False when the client has used up its failures; <paramref name="retryAfter"/> says when one frees up.</summary>
    public bool MayTry(IPAddress client, out TimeSpan retryAfter)
    {
        lock (_gate)
        {
            var b = Get(client);
            retryAfter = b.Tokens >= 1 ? TimeSpan.Zero : (1 - b.Tokens) * Refill;
            return b.Tokens >= 1;
        }
    }

    public void Failed(IPAddress client)
    {
        lock (_gate)
        {
            var b = Get(client);
            b.Tokens = Math.Max(0, b.Tokens - 1);
        }
    }

    private Bucket Get(IPAddress client)
    {
        var now = time.GetUtcNow();
        if (!_buckets.TryGetValue(client, out var b))
        {
            if (_buckets.Count >= MaxTracked) Prune(now);
            b = new Bucket { Tokens = burst, Updated = now };
            _buckets[client] = b;
            return b;
        }
        b.Tokens = Math.Min(burst, b.Tokens + (now - b.Updated) / Refill);
        b.Updated = now;
        return b;
    }

    /// <summary>Forgets clients whose bucket has refilled; if an attack keeps them all busy, forgets them all
    /// rather than grow without bound.</summary>
    private void Prune(DateTimeOffset now)
    {
        foreach (var (ip, b) in _buckets.ToList())
            if (b.Tokens + (now - b.Updated) / Refill >= burst) _buckets.Remove(ip);
        if (_buckets.Count >= MaxTracked) _buckets.Clear();
    }
}
