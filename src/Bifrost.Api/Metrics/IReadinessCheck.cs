namespace Bifrost.Api.Metrics;

/// <summary>
/// One condition of /readyz. Register implementations in DI (e.g. the DHCP and TFTP servers: "socket bound"); /readyz
/// answers 503 naming every check that is not ready.
/// </summary>
public interface IReadinessCheck
{
    /// <summary>Short name shown in /readyz ("store", "api", "dhcp").</summary>
    string Name { get; }

    /// <summary>Null when ready, else the reason in a few words. Must be cheap: /readyz is polled.</summary>
    Task<string?> CheckAsync(CancellationToken ct);
}
