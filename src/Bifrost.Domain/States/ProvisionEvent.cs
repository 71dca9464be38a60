namespace Bifrost.Domain.States;

/// <summary>Events of the provisioning machine: API verbs and the conductor's own outcomes.</summary>
public enum ProvisionEvent
{
    // Verbs an operator sends (PUT /v1/nodes/{n}/states/provision).
    Manage,
    Provide,
    Inspect,
    Clean,
    Deploy,
    Rebuild,
    Delete,
    Abort,
    Adopt,

    // Outcomes the conductor fires while working.
    Done,
    Fail,
    Wait,
    Resume,
    Error,
}

public static class ProvisionVerbs
{
    /// <summary>API targets and the event each fires; "active"/"deploy" and "deleted"/"undeploy" are aliases.</summary>
    private static readonly Dictionary<string, ProvisionEvent> Verbs = new(StringComparer.Ordinal)
    {
        ["manage"] = ProvisionEvent.Manage,
        ["provide"] = ProvisionEvent.Provide,
        ["inspect"] = ProvisionEvent.Inspect,
        ["clean"] = ProvisionEvent.Clean,
        ["active"] = ProvisionEvent.Deploy,
        ["deploy"] = ProvisionEvent.Deploy,
        ["rebuild"] = ProvisionEvent.Rebuild,
        ["deleted"] = ProvisionEvent.Delete,
        ["undeploy"] = ProvisionEvent.Delete,
        ["abort"] = ProvisionEvent.Abort,
        ["adopt"] = ProvisionEvent.Adopt,
    };

    public static IReadOnlyCollection<string> Names => Verbs.Keys;

    public static bool TryParse(string? verb, out ProvisionEvent ev)
    {
        ev = default;
        return verb is not null && Verbs.TryGetValue(verb, out ev);
    }

    public static string ToWire(this ProvisionEvent ev) => ev.ToString().ToLowerInvariant();
}
