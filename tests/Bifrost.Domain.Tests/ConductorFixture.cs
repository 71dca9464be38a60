using Bifrost.Domain.Conductor;
using Bifrost.Domain.Drivers;
using Bifrost.Domain.Drivers.Fake;
using Bifrost.Domain.Nodes;
using Bifrost.Domain.States;
using Bifrost.TestKit;
using Microsoft.Extensions.Logging.Abstractions;
using NUnit.Framework;

namespace Bifrost.Domain.Tests;

/// <summary>A conductor over a real SQLite store on a temp file, with scripted and fake hardware and a manual clock.</summary>
public abstract class ConductorFixture
{
    protected TestStore Db = null!;
    protected Conductor.Conductor Conductor = null!;
    protected Script Script = null!;
    protected ManualClock Clock = null!;
    protected ConductorOptions Options = null!;

    [SetUp]
    public async Task SetUpConductor()
    {
        Clock = new ManualClock();
        Db = await TestStore.CreateAsync(time: Clock);
        Script = new Script();
        Options = new ConductorOptions { Host = "here", LockWait = TimeSpan.Zero };
        Conductor = new Conductor.Conductor(Db.Store,
            new DriverRegistry([Script.Build(), FakeHardware.Create(new FakeOptions(), Clock)]),
            Options, Clock, NullLogger<Conductor.Conductor>.Instance);
    }

    [TearDown]
    public async Task TearDownConductor()
    {
        await Conductor.StopAsync(TimeSpan.FromSeconds(5));
        await Db.DisposeAsync();
    }

    /// <summary>Enrolls a scripted node directly in <paramref name="state"/>.</summary>
    protected async Task<Node> NodeIn(ProvisionState state, string? name = null, string driver = "scripted")
    {
        var node = await Conductor.CreateNodeAsync(new Node { Driver = driver, Name = name }, ProvisionState.Enroll);
        if (state != ProvisionState.Enroll)
        {
            node.ProvisionState = state;
            node.TargetProvisionState = state switch
            {
                ProvisionState.CleanWait or ProvisionState.Cleaning => ProvisionState.Available,
                ProvisionState.DeployWait or ProvisionState.Deploying => ProvisionState.Active,
                ProvisionState.InspectWait or ProvisionState.Inspecting => ProvisionState.Manageable,
                _ => null,
            };
            node.ProvisionUpdatedAt = Clock.GetUtcNow();
            await Db.Store.SaveNodeAsync(node);
        }
        return (await Db.Store.GetNodeAsync(node.Uuid))!;
    }

    protected async Task<Node> Reload(Node node) => (await Db.Store.GetNodeAsync(node.Uuid))!;

    protected async Task<Node> Settled(Node node)
    {
        await Conductor.WaitIdleAsync(TimeSpan.FromSeconds(10));
        return await Reload(node);
    }
}
