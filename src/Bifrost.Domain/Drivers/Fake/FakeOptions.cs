namespace Bifrost.Domain.Drivers.Fake;

/// <summary>
/// Delays of the fake-hardware type (configuration <c>Bifrost:Fake</c>, Ironic's <c>[fake] *_delay</c>), so the
/// transient states can be observed by polling in tests and demos. All zero by default.
/// </summary>
public sealed class FakeOptions
{
    public TimeSpan PowerDelay { get; set; }
    public TimeSpan BootDelay { get; set; }
    public TimeSpan DeployDelay { get; set; }
    public TimeSpan CleanDelay { get; set; }
    public TimeSpan InspectDelay { get; set; }
    public TimeSpan ManagementDelay { get; set; }
}
