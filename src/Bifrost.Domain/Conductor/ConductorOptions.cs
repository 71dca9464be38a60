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

    /// <summary>How often the power state of every node is read from its BMC (sync_power_state_interval). Zero: never.</summary>
    public TimeSpan SyncPowerStateInterval { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Consecutive failed power reads before a node goes into maintenance with fault "power failure"
    /// (power_state_sync_max_retries).</summary>
    public int PowerStateSyncMaxRetries { get; set; } = 3;

    /// <summary>How often nodes in "power failure" maintenance are checked for a BMC that answers again
    /// (power_failure_recovery_interval). Zero: never.</summary>
    public TimeSpan PowerFailureRecoveryInterval { get; set; } = TimeSpan.FromSeconds(300);

    /// <summary>How many BMCs one sync pass asks at once (sync_power_state_workers).</summary>
    public int SyncPowerStateWorkers { get; set; } = 16;

    /// <summary>How often a power change polls the BMC until the node reaches the target state.</summary>
    public TimeSpan PowerStatePollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The boot mode of nodes that name none (Ironic's default_boot_mode): uefi or bios.</summary>
    public string DefaultBootMode { get; set; } = "uefi";
}
