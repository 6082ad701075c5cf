using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Whereabouts.Stores.Tests.Etcd;

/// <summary>
/// An HTTP proxy in front of a real etcd that decides per request what happens: pass it on; pass it on and
/// drop the answer (the transaction commits, the client never hears: what a client timeout during an etcd
/// stall looks like); or answer 503 without passing it on.
/// </summary>
sealed class EtcdFaultProxy : IAsyncDisposable
{
    public enum Verdict { Pass, PassThenDrop, Unavailable }

    /// <summary>Called with the gateway path ("/v3/kv/txn") and the JSON body of each request.</summary>
    public Func<string, string, Verdict> Rule { get; set; } = (_, _) => Verdict.Pass;

    /// <summary>Run after a dropped request reached etcd and before the connection is cut (another writer, say).</summary>
    public Func<Task> AfterPassThenDrop { get; set; } = () => Task.CompletedTask;

    readonly WebApplication app;
    readonly HttpClient upstream = new() { Timeout = TimeSpan.FromSeconds(30) };

    public string Endpoint { get; private set; } = "";

    EtcdFaultProxy(string etcdUrl)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        app = builder.Build();
        app.Run(async ctx =>
        {
            using var reader = new StreamReader(ctx.Request.Body);
            var body = await reader.ReadToEndAsync();
            var verdict = Rule(ctx.Request.Path.Value ?? "", body);
            if (verdict == Verdict.Unavailable)
            {
                ctx.Response.StatusCode = 503;
                await ctx.Response.WriteAsync("""{"error":"proxy: unavailable","code":14}""");
                return;
            }
            using var forward = new HttpRequestMessage(HttpMethod.Post, etcdUrl + ctx.Request.Path) { Content = new StringContent(body) };
            if (ctx.Request.Headers.Authorization.Count > 0) forward.Headers.TryAddWithoutValidation("Authorization", ctx.Request.Headers.Authorization.ToString());
            using var answer = await upstream.SendAsync(forward);
            var bytes = await answer.Content.ReadAsByteArrayAsync();
            if (verdict == Verdict.PassThenDrop)
            {
                await AfterPassThenDrop();
                ctx.Abort();
                return;
            }
            ctx.Response.StatusCode = (int)answer.StatusCode;
            ctx.Response.ContentType = "application/json";
            await ctx.Response.Body.WriteAsync(bytes);
        });
    }

    public static async Task<EtcdFaultProxy> Start(string etcdUrl)
    {
        var proxy = new EtcdFaultProxy(etcdUrl);
        await proxy.app.StartAsync();
        var address = proxy.app.Services.GetService(typeof(IServer)) is IServer server
            ? server.Features.Get<IServerAddressesFeature>()!.Addresses.First() : throw new InvalidOperationException("no server");
        proxy.Endpoint = new Uri(address).Authority;
        return proxy;
    }

    /// <summary>Whether a transaction body writes (puts) the key; keys travel base64-encoded.</summary>
    public static bool Puts(string body, string key) =>
        body.Contains("request_put", StringComparison.Ordinal) && body.Contains(Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(key)), StringComparison.Ordinal);

    public static bool Deletes(string body, string key) =>
        body.Contains("request_delete_range", StringComparison.Ordinal) && body.Contains(Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(key)), StringComparison.Ordinal);

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
        upstream.Dispose();
    }
}
