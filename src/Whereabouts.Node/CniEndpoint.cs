using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Whereabouts.Cni;
using Whereabouts.Core.Cni;
using Whereabouts.Core.Config;

namespace Whereabouts.Node;

/// <summary>
/// POST /v1/cni: one forwarded CNI invocation served by the same dispatcher as the plugin's, with the agent's
/// stores. Beyond <see cref="AgentOptions.MaxInFlight"/> requests at once a new one is answered with CNI
/// error 11 at once rather than queued without bound: the runtime retries, and memory stays bounded.
/// </summary>
public sealed class CniEndpoint(CniDispatcher dispatcher, AgentOptions options, AgentMetrics metrics)
{
    int inFlight;

    public async Task Handle(HttpContext http)
    {
        ForwardedCall? call;
        try
        {
            call = await JsonSerializer.DeserializeAsync(http.Request.Body, AgentJson.Default.ForwardedCall, http.RequestAborted);
        }
        catch (Exception e) when (e is JsonException or Microsoft.AspNetCore.Http.BadHttpRequestException)
        {
            http.Response.StatusCode = e is BadHttpRequestException bad ? bad.StatusCode : 400;
            return;
        }
        byte[] stdin;
        try { stdin = call is null ? [] : Convert.FromBase64String(call.Stdin ?? ""); }
        catch (FormatException) { stdin = []; call = null; }
        if (call?.Env is null)
        {
            http.Response.StatusCode = 400;
            return;
        }
        var env = call.Env;
        var verb = env.GetValueOrDefault("CNI_COMMAND") ?? "";
        var started = Stopwatch.GetTimestamp();
        if (Interlocked.Increment(ref inFlight) > options.MaxInFlight)
        {
            Interlocked.Decrement(ref inFlight);
            metrics.Served(verb, "rejected", TimeSpan.Zero);
            var version = CniVersion.Parse(ConfigParser.VersionOf(stdin)).IfFail(CniVersion.Latest);
            var busy = CniError.From(Core.Errors.TryAgainLater($"the node agent is serving {options.MaxInFlight} requests already; try again")).Render(version);
            await Reply(http, new AgentReply(1, busy, null));
            return;
        }
        try
        {
            using (metrics.Serving())
            {
                // The request's own deadline, not the connection's: a plugin that gave up does not cancel a write half-way.
                var reply = await dispatcher.Serve(new CniCall(name => env.GetValueOrDefault(name), () => stdin), CancellationToken.None);
                metrics.Served(verb, reply.Declined ? "declined" : reply.ExitCode == 0 ? "ok" : "error", Stopwatch.GetElapsedTime(started));
                await Reply(http, reply.Declined ? new AgentReply(null, null, true) : new AgentReply(reply.ExitCode, reply.Stdout, null));
            }
        }
        finally
        {
            Interlocked.Decrement(ref inFlight);
        }
    }

    static async Task Reply(HttpContext http, AgentReply reply)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(reply, AgentJson.Default.AgentReply);
        http.Response.ContentType = "application/json";
        http.Response.ContentLength = body.Length;
        await http.Response.Body.WriteAsync(body);
    }
}
