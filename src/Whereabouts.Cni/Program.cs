using Whereabouts.Cni;

// The wiring table: real process I/O, the datastores, the real file system.
var dispatcher = new CniDispatcher(ProcessIo.FromProcess(), Stores.Open, IpamLoader.ReadIfExists);
return await dispatcher.Run(CancellationToken.None);
