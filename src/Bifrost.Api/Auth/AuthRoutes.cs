using Microsoft.AspNetCore.Http;

namespace Bifrost.Api.Auth;

/// <summary>Which paths skip HTTP basic authentication.</summary>
public static class AuthRoutes
{
    /// <summary>
    /// Ironic's <c>acl_public_routes</c> (ironic/api/config.py): <c>/</c> and <c>/v1</c> are public so clients can
    /// discover versions before they authenticate; they reveal nothing but versions and links.
    /// </summary>
    /// <para>Also public: the observability endpoints (<c>/metrics</c>, <c>/healthz</c>, <c>/readyz</c>), because a scraper
    /// or a probe carries no credentials and they hold counts and state names only — see
    /// <see cref="Endpoints.ObservabilityEndpoints.UnauthenticatedPaths"/>.</para>
    public static bool IsPublic(PathString path) =>
        path.Value is null or "" or "/" or "/v1" or "/v1/"
        || Endpoints.ObservabilityEndpoints.UnauthenticatedPaths.Contains(path.Value, StringComparer.Ordinal);

    /// <summary>
    /// The deploy agent's endpoints (Ironic: <c>/v1/lookup</c>, <c>/v1/heartbeat/{node}</c>) are public in Ironic too,
    /// but Bifrost guards them with the per-node agent token instead of a user password: the endpoints themselves
    /// (Endpoints.AgentEndpoints) check that token. <c>/v1/agent/{node}/configdrive</c> is Bifrost's own and checks it
    /// too. This is the one exemption point; add agent paths here and nowhere else.
    /// </summary>
    public static bool IsAgent(PathString path) =>
        path.StartsWithSegments("/v1/lookup", StringComparison.Ordinal)
        || path.StartsWithSegments("/v1/heartbeat", StringComparison.Ordinal)
        || path.StartsWithSegments("/v1/agent", StringComparison.Ordinal);
}
