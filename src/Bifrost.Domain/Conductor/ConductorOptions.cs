namespace Bifrost.Domain.Conductor;

/// <summary>Conductor settings (configuration section <c>Bifrost:Conductor</c>), named after Ironic's options.</summary>
public sealed class ConductorOptions
{
    /// <summary>This conductor's name: what <c>reservation</c> and <c>conductor</c> show.</summary>
    public string Host { get; set; } = "bifrost";

    /// <summary>How long a node may sit in <c>wait call-back</c> (Ironic's deploy_callback_timeout). Zero: never.</summary>
    public TimeSpan DeployCallbackTimeout { get; set; } = TimeSpan.FromSeconds(1800);

    /// <summary>How long a node may sit in <c>clean wait</c> (clean_callback_timeout). Zero: never.</summary>
    public TimeSpan CleanCallbackTimeout { get; set; } = TimeSpan.FromSeconds(1800);

    /// <summary>How long a node may sit in <c>inspect wait</c> (inspect_wait_timeout). Zero: never.</summary>
    public TimeSpan InspectWaitTimeout { get; set; } = TimeSpan.FromSeconds(1800);

    /// <summary>How often the timeout sweep runs (check_provision_state_interval).</summary>
    public TimeSpan CheckProvisionStateInterval { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Clean automatically on provide and after undeploy, unless a node says otherwise.</summary>
    public bool AutomatedClean { get; set; } = true;

    /// <summary>How long a power change may take before it counts as failed (power_state_change_timeout).</summary>
    public TimeSpan PowerStateChangeTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long a request waits for a node's lock before answering 409 NodeLocked.</summary>
    public TimeSpan LockWait { get; set; } = TimeSpan.FromSeconds(1);
}
