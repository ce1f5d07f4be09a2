#!/usr/bin/env node
import { createRequire as __pybinCreateRequire } from 'node:module'; const require = __pybinCreateRequire(import.meta.url);
var __create = Object.create;
var __defProp = Object.defineProperty;
var __getOwnPropDesc = Object.getOwnPropertyDescriptor;
var __getOwnPropNames = Object.getOwnPropertyNames;
var __getProtoOf = Object.getPrototypeOf;
var __hasOwnProp = Object.prototype.hasOwnProperty;
var __require = /* @__PURE__ */ ((x) => typeof require !== "undefined" ? require : typeof Proxy !== "undefined" ? new Proxy(x, {
  get: (a, b) => (typeof require !== "undefined" ? require : a)[b]
}) : x)(function(x) {
  if (typeof require !== "undefined") return require.apply(this, arguments);
  throw Error('Dynamic require of "' + x + '" is not supported');
});
var __commonJS = (cb, mod) => function __require2() {
  try {
    return mod || (0, cb[__getOwnPropNames(cb)[0]])((mod = { exports: {} }).exports, mod), mod.exports;
  } catch (e) {
    throw mod = 0, e;
  }
};
var __copyProps = (to, from, except, desc) => {
  if (from && typeof from === "object" || typeof from === "function") {
    for (let key of __getOwnPropNames(from))
      if (!__hasOwnProp.call(to, key) && key !== except)
        __defProp(to, key, { get: () => from[key], enumerable: !(desc = __getOwnPropDesc(from, key)) || desc.enumerable });
  }
  return to;
};
var __toESM = (mod, isNodeMode, target) => (target = mod != null ? __create(__getProtoOf(mod)) : {}, __copyProps(
  // If the importer is in node compatibility mode or this is not an ESM
  // file that has been converted to a CommonJS file using a Babel-
  // compatible transform (i.e. "__esModule" has not been set), then set
  // "default" to the CommonJS "module.exports" for node compatibility.
  isNodeMode || !mod || !mod.__esModule ? __defProp(target, "default", { value: mod, enumerable: true }) : target,
  mod
));

// node_modules/graceful-fs/polyfills.js
var require_polyfills = __commonJS({
  "node_modules/graceful-fs/polyfills.js"(exports, module) {
    var constants2 = __require("constants");
    var origCwd = process.cwd;
    var cwd = null;
    var platform = process.env.GRACEFUL_FS_PLATFORM || process.platform;
    process.cwd = function() {
      if (!cwd)
        cwd = origCwd.call(process);
      return cwd;
    };
    try {
      process.cwd();
    } catch (er) {
    }
    if (typeof process.chdir === "function") {
      chdir = process.chdir;
      process.chdir = function(d) {
        cwd = null;
        chdir.call(process, d);
      };
      if (Object.setPrototypeOf) Object.setPrototypeOf(process.chdir, chdir);
    }
    var chdir;
    module.exports = patch;
    function patch(fs) {
      if (constants2.hasOwnProperty("O_SYMLINK") && process.version.match(/^v0\.6\.[0-2]|^v0\.5\./)) {
        patchLchmod(fs);
      }
      if (!fs.lutimes) {
        patchLutimes(fs);
      }
      fs.chown = chownFix(fs.chown);
      fs.fchown = chownFix(fs.fchown);
      fs.lchown = chownFix(fs.lchown);
      fs.chmod = chmodFix(fs.chmod);
      fs.fchmod = chmodFix(fs.fchmod);
      fs.lchmod = chmodFix(fs.lchmod);
      fs.chownSync = chownFixSync(fs.chownSync);
      fs.fchownSync = chownFixSync(fs.fchownSync);
      fs.lchownSync = chownFixSync(fs.lchownSync);
      fs.chmodSync = chmodFixSync(fs.chmodSync);
      fs.fchmodSync = chmodFixSync(fs.fchmodSync);
      fs.lchmodSync = chmodFixSync(fs.lchmodSync);
      fs.stat = statFix(fs.stat);
      fs.fstat = statFix(fs.fstat);
      fs.lstat = statFix(fs.lstat);
      fs.statSync = statFixSync(fs.statSync);
      fs.fstatSync = statFixSync(fs.fstatSync);
      fs.lstatSync = statFixSync(fs.lstatSync);
      if (fs.chmod && !fs.lchmod) {
        fs.lchmod = function(path, mode, cb) {
          if (cb) process.nextTick(cb);
        };
        fs.lchmodSync = function() {
        };
      }
      if (fs.chown && !fs.lchown) {
        fs.lchown = function(path, uid, gid, cb) {
          if (cb) process.nextTick(cb);
        };
        fs.lchownSync = function() {
        };
      }
      if (platform === "win32") {
        fs.rename = typeof fs.rename !== "function" ? fs.rename : (function(fs$rename) {
          function rename(from, to, cb) {
            var start = Date.now();
            var backoff = 0;
            fs$rename(from, to, function CB(er) {
              if (er && (er.code === "EACCES" || er.code === "EPERM" || er.code === "EBUSY") && Date.now() - start < 6e4) {
                setTimeout(function() {
                  fs.stat(to, function(stater, st) {
                    if (stater && stater.code === "ENOENT")
                      fs$rename(from, to, CB);
                    else
                      cb(er);
                  });
                }, backoff);
                if (backoff < 100)
                  backoff += 10;
                return;
              }
              if (cb) cb(er);
            });
          }
          if (Object.setPrototypeOf) Object.setPrototypeOf(rename, fs$rename);
          return rename;
        })(fs.rename);
      }
      fs.read = typeof fs.read !== "function" ? fs.read : (function(fs$read) {
        function read(fd, buffer, offset, length, position, callback_) {
          var callback;
          if (callback_ && typeof callback_ === "function") {
            var eagCounter = 0;
            callback = function(er, _, __) {
              if (er && er.code === "EAGAIN" && eagCounter < 10) {
                eagCounter++;
                return fs$read.call(fs, fd, buffer, offset, length, position, callback);
              }
              callback_.apply(this, arguments);
            };
          }
          return fs$read.call(fs, fd, buffer, offset, length, position, callback);
        }
        if (Object.setPrototypeOf) Object.setPrototypeOf(read, fs$read);
        return read;
      })(fs.read);
      fs.readSync = typeof fs.readSync !== "function" ? fs.readSync : /* @__PURE__ */ (function(fs$readSync) {
        return function(fd, buffer, offset, length, position) {
          var eagCounter = 0;
          while (true) {
            try {
              return fs$readSync.call(fs, fd, buffer, offset, length, position);
            } catch (er) {
              if (er.code === "EAGAIN" && eagCounter < 10) {
                eagCounter++;
                continue;
              }
              throw er;
            }
          }
        };
      })(fs.readSync);
      function patchLchmod(fs2) {
        fs2.lchmod = function(path, mode, callback) {
          fs2.open(
            path,
            constants2.O_WRONLY | constants2.O_SYMLINK,
            mode,
            function(err, fd) {
              if (err) {
                if (callback) callback(err);
                return;
              }
              fs2.fchmod(fd, mode, function(err2) {
                fs2.close(fd, function(err22) {
                  if (callback) callback(err2 || err22);
                });
              });
            }
          );
        };
        fs2.lchmodSync = function(path, mode) {
          var fd = fs2.openSync(path, constants2.O_WRONLY | constants2.O_SYMLINK, mode);
          var threw = true;
          var ret;
          try {
            ret = fs2.fchmodSync(fd, mode);
            threw = false;
          } finally {
            if (threw) {
              try {
                fs2.closeSync(fd);
              } catch (er) {
              }
            } else {
              fs2.closeSync(fd);
            }
          }
          return ret;
        };
      }
      function patchLutimes(fs2) {
        if (constants2.hasOwnProperty("O_SYMLINK") && fs2.futimes) {
          fs2.lutimes = function(path, at, mt, cb) {
            fs2.open(path, constants2.O_SYMLINK, function(er, fd) {
              if (er) {
                if (cb) cb(er);
                return;
              }
              fs2.futimes(fd, at, mt, function(er2) {
                fs2.close(fd, function(er22) {
                  if (cb) cb(er2 || er22);
                });
              });
            });
          };
          fs2.lutimesSync = function(path, at, mt) {
            var fd = fs2.openSync(path, constants2.O_SYMLINK);
            var ret;
            var threw = true;
            try {
              ret = fs2.futimesSync(fd, at, mt);
              threw = false;
            } finally {
              if (threw) {
                try {
                  fs2.closeSync(fd);
                } catch (er) {
                }
              } else {
                fs2.closeSync(fd);
              }
            }
            return ret;
          };
        } else if (fs2.futimes) {
          fs2.lutimes = function(_a, _b, _c, cb) {
            if (cb) process.nextTick(cb);
          };
          fs2.lutimesSync = function() {
          };
        }
      }
      function chmodFix(orig) {
        if (!orig) return orig;
        return function(target, mode, cb) {
          return orig.call(fs, target, mode, function(er) {
            if (chownErOk(er)) er = null;
            if (cb) cb.apply(this, arguments);
          });
        };
      }
      function chmodFixSync(orig) {
        if (!orig) return orig;
        return function(target, mode) {
          try {
            return orig.call(fs, target, mode);
          } catch (er) {
            if (!chownErOk(er)) throw er;
          }
        };
      }
      function chownFix(orig) {
        if (!orig) return orig;
        return function(target, uid, gid, cb) {
          return orig.call(fs, target, uid, gid, function(er) {
            if (chownErOk(er)) er = null;
            if (cb) cb.apply(this, arguments);
          });
        };
      }
      function chownFixSync(orig) {
        if (!orig) return orig;
        return function(target, uid, gid) {
          try {
            return orig.call(fs, target, uid, gid);
          } catch (er) {
            if (!chownErOk(er)) throw er;
          }
        };
      }
      function statFix(orig) {
        if (!orig) return orig;
        return function(target, options, cb) {
          if (typeof options === "function") {
            cb = options;
            options = null;
          }
          function callback(er, stats) {
            if (stats) {
              if (stats.uid < 0) stats.uid += 4294967296;
              if (stats.gid < 0) stats.gid += 4294967296;
            }
            if (cb) cb.apply(this, arguments);
          }
          return options ? orig.call(fs, target, options, callback) : orig.call(fs, target, callback);
        };
      }
      function statFixSync(orig) {
        if (!orig) return orig;
        return function(target, options) {
          var stats = options ? orig.call(fs, target, options) : orig.call(fs, target);
          if (stats) {
            if (stats.uid < 0) stats.uid += 4294967296;
            if (stats.gid < 0) stats.gid += 4294967296;
          }
          return stats;
        };
      }
      function chownErOk(er) {
        if (!er)
          return true;
        if (er.code === "ENOSYS")
          return true;
        var nonroot = !process.getuid || process.getuid() !== 0;
        if (nonroot) {
          if (er.code === "EINVAL" || er.code === "EPERM")
            return true;
        }
        return false;
      }
    }
  }
});

// node_modules/graceful-fs/legacy-streams.js
var require_legacy_streams = __commonJS({
  "node_modules/graceful-fs/legacy-streams.js"(exports, module) {
    var Stream = __require("stream").Stream;
    module.exports = legacy;
    function legacy(fs) {
      return {
        ReadStream,
        WriteStream
      };
      function ReadStream(path, options) {
        if (!(this instanceof ReadStream)) return new ReadStream(path, options);
        Stream.call(this);
        var self = this;
        this.path = path;
        this.fd = null;
        this.readable = true;
        this.paused = false;
        this.flags = "r";
        this.mode = 438;
        this.bufferSize = 64 * 1024;
        options = options || {};
        var keys = Object.keys(options);
        for (var index = 0, length = keys.length; index < length; index++) {
          var key = keys[index];
          this[key] = options[key];
        }
        if (this.encoding) this.setEncoding(this.encoding);
        if (this.start !== void 0) {
          if ("number" !== typeof this.start) {
            throw TypeError("start must be a Number");
          }
          if (this.end === void 0) {
            this.end = Infinity;
          } else if ("number" !== typeof this.end) {
            throw TypeError("end must be a Number");
          }
          if (this.start > this.end) {
            throw new Error("start must be <= end");
          }
          this.pos = this.start;
        }
        if (this.fd !== null) {
          process.nextTick(function() {
            self._read();
          });
          return;
        }
        fs.open(this.path, this.flags, this.mode, function(err, fd) {
          if (err) {
            self.emit("error", err);
            self.readable = false;
            return;
          }
          self.fd = fd;
          self.emit("open", fd);
          self._read();
        });
      }
      function WriteStream(path, options) {
        if (!(this instanceof WriteStream)) return new WriteStream(path, options);
        Stream.call(this);
        this.path = path;
        this.fd = null;
        this.writable = true;
        this.flags = "w";
        this.encoding = "binary";
        this.mode = 438;
        this.bytesWritten = 0;
        options = options || {};
        var keys = Object.keys(options);
        for (var index = 0, length = keys.length; index < length; index++) {
          var key = keys[index];
          this[key] = options[key];
        }
        if (this.start !== void 0) {
          if ("number" !== typeof this.start) {
            throw TypeError("start must be a Number");
          }
          if (this.start < 0) {
            throw new Error("start must be >= zero");
          }
          this.pos = this.start;
        }
        this.busy = false;
        this._queue = [];
        if (this.fd === null) {
          this._open = fs.open;
          this._queue.push([this._open, this.path, this.flags, this.mode, void 0]);
          this.flush();
        }
      }
    }
  }
});

// node_modules/graceful-fs/clone.js
var require_clone = __commonJS({
  "node_modules/graceful-fs/clone.js"(exports, module) {
    "use strict";
    module.exports = clone;
    var getPrototypeOf = Object.getPrototypeOf || function(obj) {
      return obj.__proto__;
    };
    function clone(obj) {
      if (obj === null || typeof obj !== "object")
        return obj;
      if (obj instanceof Object)
        var copy = { __proto__: getPrototypeOf(obj) };
      else
        var copy = /* @__PURE__ */ Object.create(null);
      Object.getOwnPropertyNames(obj).forEach(function(key) {
        Object.defineProperty(copy, key, Object.getOwnPropertyDescriptor(obj, key));
      });
      return copy;
    }
  }
});

// node_modules/graceful-fs/graceful-fs.js
var require_graceful_fs = __commonJS({
  "node_modules/graceful-fs/graceful-fs.js"(exports, module) {
    var fs = __require("fs");
    var polyfills = require_polyfills();
    var legacy = require_legacy_streams();
    var clone = require_clone();
    var util = __require("util");
    var gracefulQueue;
    var previousSymbol;
    if (typeof Symbol === "function" && typeof Symbol.for === "function") {
      gracefulQueue = /* @__PURE__ */ Symbol.for("graceful-fs.queue");
      previousSymbol = /* @__PURE__ */ Symbol.for("graceful-fs.previous");
    } else {
      gracefulQueue = "___graceful-fs.queue";
      previousSymbol = "___graceful-fs.previous";
    }
    function noop() {
    }
    function publishQueue(context, queue2) {
      Object.defineProperty(context, gracefulQueue, {
        get: function() {
          return queue2;
        }
      });
    }
    var debug = noop;
    if (util.debuglog)
      debug = util.debuglog("gfs4");
    else if (/\bgfs4\b/i.test(process.env.NODE_DEBUG || ""))
      debug = function() {
        var m = util.format.apply(util, arguments);
        m = "GFS4: " + m.split(/\n/).join("\nGFS4: ");
        console.error(m);
      };
    if (!fs[gracefulQueue]) {
      queue = global[gracefulQueue] || [];
      publishQueue(fs, queue);
      fs.close = (function(fs$close) {
        function close(fd, cb) {
          return fs$close.call(fs, fd, function(err) {
            if (!err) {
              resetQueue();
            }
            if (typeof cb === "function")
              cb.apply(this, arguments);
          });
        }
        Object.defineProperty(close, previousSymbol, {
          value: fs$close
        });
        return close;
      })(fs.close);
      fs.closeSync = (function(fs$closeSync) {
        function closeSync2(fd) {
          fs$closeSync.apply(fs, arguments);
          resetQueue();
        }
        Object.defineProperty(closeSync2, previousSymbol, {
          value: fs$closeSync
        });
        return closeSync2;
      })(fs.closeSync);
      if (/\bgfs4\b/i.test(process.env.NODE_DEBUG || "")) {
        process.on("exit", function() {
          debug(fs[gracefulQueue]);
          __require("assert").equal(fs[gracefulQueue].length, 0);
        });
      }
    }
    var queue;
    if (!global[gracefulQueue]) {
      publishQueue(global, fs[gracefulQueue]);
    }
    module.exports = patch(clone(fs));
    if (process.env.TEST_GRACEFUL_FS_GLOBAL_PATCH && !fs.__patched) {
      module.exports = patch(fs);
      fs.__patched = true;
    }
    function patch(fs2) {
      polyfills(fs2);
      fs2.gracefulify = patch;
      fs2.createReadStream = createReadStream2;
      fs2.createWriteStream = createWriteStream2;
      var fs$readFile = fs2.readFile;
      fs2.readFile = readFile;
      function readFile(path, options, cb) {
        if (typeof options === "function")
          cb = options, options = null;
        return go$readFile(path, options, cb);
        function go$readFile(path2, options2, cb2, startTime) {
          return fs$readFile(path2, options2, function(err) {
            if (err && (err.code === "EMFILE" || err.code === "ENFILE"))
              enqueue([go$readFile, [path2, options2, cb2], err, startTime || Date.now(), Date.now()]);
            else {
              if (typeof cb2 === "function")
                cb2.apply(this, arguments);
            }
          });
        }
      }
      var fs$writeFile = fs2.writeFile;
      fs2.writeFile = writeFile;
      function writeFile(path, data, options, cb) {
        if (typeof options === "function")
          cb = options, options = null;
        return go$writeFile(path, data, options, cb);
        function go$writeFile(path2, data2, options2, cb2, startTime) {
          return fs$writeFile(path2, data2, options2, function(err) {
            if (err && (err.code === "EMFILE" || err.code === "ENFILE"))
              enqueue([go$writeFile, [path2, data2, options2, cb2], err, startTime || Date.now(), Date.now()]);
            else {
              if (typeof cb2 === "function")
                cb2.apply(this, arguments);
            }
          });
        }
      }
      var fs$appendFile = fs2.appendFile;
      if (fs$appendFile)
        fs2.appendFile = appendFile;
      function appendFile(path, data, options, cb) {
        if (typeof options === "function")
          cb = options, options = null;
        return go$appendFile(path, data, options, cb);
        function go$appendFile(path2, data2, options2, cb2, startTime) {
          return fs$appendFile(path2, data2, options2, function(err) {
            if (err && (err.code === "EMFILE" || err.code === "ENFILE"))
              enqueue([go$appendFile, [path2, data2, options2, cb2], err, startTime || Date.now(), Date.now()]);
            else {
              if (typeof cb2 === "function")
                cb2.apply(this, arguments);
            }
          });
        }
      }
      var fs$copyFile = fs2.copyFile;
      if (fs$copyFile)
        fs2.copyFile = copyFile;
      function copyFile(src, dest, flags, cb) {
        if (typeof flags === "function") {
          cb = flags;
          flags = 0;
        }
        return go$copyFile(src, dest, flags, cb);
        function go$copyFile(src2, dest2, flags2, cb2, startTime) {
          return fs$copyFile(src2, dest2, flags2, function(err) {
            if (err && (err.code === "EMFILE" || err.code === "ENFILE"))
              enqueue([go$copyFile, [src2, dest2, flags2, cb2], err, startTime || Date.now(), Date.now()]);
            else {
              if (typeof cb2 === "function")
                cb2.apply(this, arguments);
            }
          });
        }
      }
      var fs$readdir = fs2.readdir;
      fs2.readdir = readdir;
      var noReaddirOptionVersions = /^v[0-5]\./;
      function readdir(path, options, cb) {
        if (typeof options === "function")
          cb = options, options = null;
        var go$readdir = noReaddirOptionVersions.test(process.version) ? function go$readdir2(path2, options2, cb2, startTime) {
          return fs$readdir(path2, fs$readdirCallback(
            path2,
            options2,
            cb2,
            startTime
          ));
        } : function go$readdir2(path2, options2, cb2, startTime) {
          return fs$readdir(path2, options2, fs$readdirCallback(
            path2,
            options2,
            cb2,
            startTime
          ));
        };
        return go$readdir(path, options, cb);
        function fs$readdirCallback(path2, options2, cb2, startTime) {
          return function(err, files) {
            if (err && (err.code === "EMFILE" || err.code === "ENFILE"))
              enqueue([
                go$readdir,
                [path2, options2, cb2],
                err,
                startTime || Date.now(),
                Date.now()
              ]);
            else {
              if (files && files.sort)
                files.sort();
              if (typeof cb2 === "function")
                cb2.call(this, err, files);
            }
          };
        }
      }
      if (process.version.substr(0, 4) === "v0.8") {
        var legStreams = legacy(fs2);
        ReadStream = legStreams.ReadStream;
        WriteStream = legStreams.WriteStream;
      }
      var fs$ReadStream = fs2.ReadStream;
      if (fs$ReadStream) {
        ReadStream.prototype = Object.create(fs$ReadStream.prototype);
        ReadStream.prototype.open = ReadStream$open;
      }
      var fs$WriteStream = fs2.WriteStream;
      if (fs$WriteStream) {
        WriteStream.prototype = Object.create(fs$WriteStream.prototype);
        WriteStream.prototype.open = WriteStream$open;
      }
      Object.defineProperty(fs2, "ReadStream", {
        get: function() {
          return ReadStream;
        },
        set: function(val) {
          ReadStream = val;
        },
        enumerable: true,
        configurable: true
      });
      Object.defineProperty(fs2, "WriteStream", {
        get: function() {
          return WriteStream;
        },
        set: function(val) {
          WriteStream = val;
        },
        enumerable: true,
        configurable: true
      });
      var FileReadStream = ReadStream;
      Object.defineProperty(fs2, "FileReadStream", {
        get: function() {
          return FileReadStream;
        },
        set: function(val) {
          FileReadStream = val;
        },
        enumerable: true,
        configurable: true
      });
      var FileWriteStream = WriteStream;
      Object.defineProperty(fs2, "FileWriteStream", {
        get: function() {
          return FileWriteStream;
        },
        set: function(val) {
          FileWriteStream = val;
        },
        enumerable: true,
        configurable: true
      });
      function ReadStream(path, options) {
        if (this instanceof ReadStream)
          return fs$ReadStream.apply(this, arguments), this;
        else
          return ReadStream.apply(Object.create(ReadStream.prototype), arguments);
      }
      function ReadStream$open() {
        var that = this;
        open(that.path, that.flags, that.mode, function(err, fd) {
          if (err) {
            if (that.autoClose)
              that.destroy();
            that.emit("error", err);
          } else {
            that.fd = fd;
            that.emit("open", fd);
            that.read();
          }
        });
      }
      function WriteStream(path, options) {
        if (this instanceof WriteStream)
          return fs$WriteStream.apply(this, arguments), this;
        else
          return WriteStream.apply(Object.create(WriteStream.prototype), arguments);
      }
      function WriteStream$open() {
        var that = this;
        open(that.path, that.flags, that.mode, function(err, fd) {
          if (err) {
            that.destroy();
            that.emit("error", err);
          } else {
            that.fd = fd;
            that.emit("open", fd);
          }
        });
      }
      function createReadStream2(path, options) {
        return new fs2.ReadStream(path, options);
      }
      function createWriteStream2(path, options) {
        return new fs2.WriteStream(path, options);
      }
      var fs$open = fs2.open;
      fs2.open = open;
      function open(path, flags, mode, cb) {
        if (typeof mode === "function")
          cb = mode, mode = null;
        return go$open(path, flags, mode, cb);
        function go$open(path2, flags2, mode2, cb2, startTime) {
          return fs$open(path2, flags2, mode2, function(err, fd) {
            if (err && (err.code === "EMFILE" || err.code === "ENFILE"))
              enqueue([go$open, [path2, flags2, mode2, cb2], err, startTime || Date.now(), Date.now()]);
            else {
              if (typeof cb2 === "function")
                cb2.apply(this, arguments);
            }
          });
        }
      }
      return fs2;
    }
    function enqueue(elem) {
      debug("ENQUEUE", elem[0].name, elem[1]);
      fs[gracefulQueue].push(elem);
      retry();
    }
    var retryTimer;
    function resetQueue() {
      var now = Date.now();
      for (var i = 0; i < fs[gracefulQueue].length; ++i) {
        if (fs[gracefulQueue][i].length > 2) {
          fs[gracefulQueue][i][3] = now;
          fs[gracefulQueue][i][4] = now;
        }
      }
      retry();
    }
    function retry() {
      clearTimeout(retryTimer);
      retryTimer = void 0;
      if (fs[gracefulQueue].length === 0)
        return;
      var elem = fs[gracefulQueue].shift();
      var fn = elem[0];
      var args = elem[1];
      var err = elem[2];
      var startTime = elem[3];
      var lastTime = elem[4];
      if (startTime === void 0) {
        debug("RETRY", fn.name, args);
        fn.apply(null, args);
      } else if (Date.now() - startTime >= 6e4) {
        debug("TIMEOUT", fn.name, args);
        var cb = args.pop();
        if (typeof cb === "function")
          cb.call(null, err);
      } else {
        var sinceAttempt = Date.now() - lastTime;
        var sinceStart = Math.max(lastTime - startTime, 1);
        var desiredDelay = Math.min(sinceStart * 1.2, 100);
        if (sinceAttempt >= desiredDelay) {
          debug("RETRY", fn.name, args);
          fn.apply(null, args.concat([startTime]));
        } else {
          fs[gracefulQueue].push(elem);
        }
      }
      if (retryTimer === void 0) {
        retryTimer = setTimeout(retry, 0);
      }
    }
  }
});

// node_modules/retry/lib/retry_operation.js
var require_retry_operation = __commonJS({
  "node_modules/retry/lib/retry_operation.js"(exports, module) {
    function RetryOperation(timeouts, options) {
      if (typeof options === "boolean") {
        options = { forever: options };
      }
      this._originalTimeouts = JSON.parse(JSON.stringify(timeouts));
      this._timeouts = timeouts;
      this._options = options || {};
      this._maxRetryTime = options && options.maxRetryTime || Infinity;
      this._fn = null;
      this._errors = [];
      this._attempts = 1;
      this._operationTimeout = null;
      this._operationTimeoutCb = null;
      this._timeout = null;
      this._operationStart = null;
      if (this._options.forever) {
        this._cachedTimeouts = this._timeouts.slice(0);
      }
    }
    module.exports = RetryOperation;
    RetryOperation.prototype.reset = function() {
      this._attempts = 1;
      this._timeouts = this._originalTimeouts;
    };
    RetryOperation.prototype.stop = function() {
      if (this._timeout) {
        clearTimeout(this._timeout);
      }
      this._timeouts = [];
      this._cachedTimeouts = null;
    };
    RetryOperation.prototype.retry = function(err) {
      if (this._timeout) {
        clearTimeout(this._timeout);
      }
      if (!err) {
        return false;
      }
      var currentTime = (/* @__PURE__ */ new Date()).getTime();
      if (err && currentTime - this._operationStart >= this._maxRetryTime) {
        this._errors.unshift(new Error("RetryOperation timeout occurred"));
        return false;
      }
      this._errors.push(err);
      var timeout = this._timeouts.shift();
      if (timeout === void 0) {
        if (this._cachedTimeouts) {
          this._errors.splice(this._errors.length - 1, this._errors.length);
          this._timeouts = this._cachedTimeouts.slice(0);
          timeout = this._timeouts.shift();
        } else {
          return false;
        }
      }
      var self = this;
      var timer = setTimeout(function() {
        self._attempts++;
        if (self._operationTimeoutCb) {
          self._timeout = setTimeout(function() {
            self._operationTimeoutCb(self._attempts);
          }, self._operationTimeout);
          if (self._options.unref) {
            self._timeout.unref();
          }
        }
        self._fn(self._attempts);
      }, timeout);
      if (this._options.unref) {
        timer.unref();
      }
      return true;
    };
    RetryOperation.prototype.attempt = function(fn, timeoutOps) {
      this._fn = fn;
      if (timeoutOps) {
        if (timeoutOps.timeout) {
          this._operationTimeout = timeoutOps.timeout;
        }
        if (timeoutOps.cb) {
          this._operationTimeoutCb = timeoutOps.cb;
        }
      }
      var self = this;
      if (this._operationTimeoutCb) {
        this._timeout = setTimeout(function() {
          self._operationTimeoutCb();
        }, self._operationTimeout);
      }
      this._operationStart = (/* @__PURE__ */ new Date()).getTime();
      this._fn(this._attempts);
    };
    RetryOperation.prototype.try = function(fn) {
      console.log("Using RetryOperation.try() is deprecated");
      this.attempt(fn);
    };
    RetryOperation.prototype.start = function(fn) {
      console.log("Using RetryOperation.start() is deprecated");
      this.attempt(fn);
    };
    RetryOperation.prototype.start = RetryOperation.prototype.try;
    RetryOperation.prototype.errors = function() {
      return this._errors;
    };
    RetryOperation.prototype.attempts = function() {
      return this._attempts;
    };
    RetryOperation.prototype.mainError = function() {
      if (this._errors.length === 0) {
        return null;
      }
      var counts = {};
      var mainError = null;
      var mainErrorCount = 0;
      for (var i = 0; i < this._errors.length; i++) {
        var error = this._errors[i];
        var message = error.message;
        var count = (counts[message] || 0) + 1;
        counts[message] = count;
        if (count >= mainErrorCount) {
          mainError = error;
          mainErrorCount = count;
        }
      }
      return mainError;
    };
  }
});

// node_modules/retry/lib/retry.js
var require_retry = __commonJS({
  "node_modules/retry/lib/retry.js"(exports) {
    var RetryOperation = require_retry_operation();
    exports.operation = function(options) {
      var timeouts = exports.timeouts(options);
      return new RetryOperation(timeouts, {
        forever: options && options.forever,
        unref: options && options.unref,
        maxRetryTime: options && options.maxRetryTime
      });
    };
    exports.timeouts = function(options) {
      if (options instanceof Array) {
        return [].concat(options);
      }
      var opts = {
        retries: 10,
        factor: 2,
        minTimeout: 1 * 1e3,
        maxTimeout: Infinity,
        randomize: false
      };
      for (var key in options) {
        opts[key] = options[key];
      }
      if (opts.minTimeout > opts.maxTimeout) {
        throw new Error("minTimeout is greater than maxTimeout");
      }
      var timeouts = [];
      for (var i = 0; i < opts.retries; i++) {
        timeouts.push(this.createTimeout(i, opts));
      }
      if (options && options.forever && !timeouts.length) {
        timeouts.push(this.createTimeout(i, opts));
      }
      timeouts.sort(function(a, b) {
        return a - b;
      });
      return timeouts;
    };
    exports.createTimeout = function(attempt, opts) {
      var random = opts.randomize ? Math.random() + 1 : 1;
      var timeout = Math.round(random * opts.minTimeout * Math.pow(opts.factor, attempt));
      timeout = Math.min(timeout, opts.maxTimeout);
      return timeout;
    };
    exports.wrap = function(obj, options, methods) {
      if (options instanceof Array) {
        methods = options;
        options = null;
      }
      if (!methods) {
        methods = [];
        for (var key in obj) {
          if (typeof obj[key] === "function") {
            methods.push(key);
          }
        }
      }
      for (var i = 0; i < methods.length; i++) {
        var method = methods[i];
        var original = obj[method];
        obj[method] = function retryWrapper(original2) {
          var op = exports.operation(options);
          var args = Array.prototype.slice.call(arguments, 1);
          var callback = args.pop();
          args.push(function(err) {
            if (op.retry(err)) {
              return;
            }
            if (err) {
              arguments[0] = op.mainError();
            }
            callback.apply(this, arguments);
          });
          op.attempt(function() {
            original2.apply(obj, args);
          });
        }.bind(obj, original);
        obj[method].options = options;
      }
    };
  }
});

// node_modules/retry/index.js
var require_retry2 = __commonJS({
  "node_modules/retry/index.js"(exports, module) {
    module.exports = require_retry();
  }
});

// node_modules/signal-exit/signals.js
var require_signals = __commonJS({
  "node_modules/signal-exit/signals.js"(exports, module) {
    module.exports = [
      "SIGABRT",
      "SIGALRM",
      "SIGHUP",
      "SIGINT",
      "SIGTERM"
    ];
    if (process.platform !== "win32") {
      module.exports.push(
        "SIGVTALRM",
        "SIGXCPU",
        "SIGXFSZ",
        "SIGUSR2",
        "SIGTRAP",
        "SIGSYS",
        "SIGQUIT",
        "SIGIOT"
        // should detect profiler and enable/disable accordingly.
        // see #21
        // 'SIGPROF'
      );
    }
    if (process.platform === "linux") {
      module.exports.push(
        "SIGIO",
        "SIGPOLL",
        "SIGPWR",
        "SIGSTKFLT",
        "SIGUNUSED"
      );
    }
  }
});

// node_modules/signal-exit/index.js
var require_signal_exit = __commonJS({
  "node_modules/signal-exit/index.js"(exports, module) {
    var process2 = global.process;
    var processOk = function(process3) {
      return process3 && typeof process3 === "object" && typeof process3.removeListener === "function" && typeof process3.emit === "function" && typeof process3.reallyExit === "function" && typeof process3.listeners === "function" && typeof process3.kill === "function" && typeof process3.pid === "number" && typeof process3.on === "function";
    };
    if (!processOk(process2)) {
      module.exports = function() {
        return function() {
        };
      };
    } else {
      assert = __require("assert");
      signals = require_signals();
      isWin = /^win/i.test(process2.platform);
      EE = __require("events");
      if (typeof EE !== "function") {
        EE = EE.EventEmitter;
      }
      if (process2.__signal_exit_emitter__) {
        emitter = process2.__signal_exit_emitter__;
      } else {
        emitter = process2.__signal_exit_emitter__ = new EE();
        emitter.count = 0;
        emitter.emitted = {};
      }
      if (!emitter.infinite) {
        emitter.setMaxListeners(Infinity);
        emitter.infinite = true;
      }
      module.exports = function(cb, opts) {
        if (!processOk(global.process)) {
          return function() {
          };
        }
        assert.equal(typeof cb, "function", "a callback must be provided for exit handler");
        if (loaded === false) {
          load();
        }
        var ev = "exit";
        if (opts && opts.alwaysLast) {
          ev = "afterexit";
        }
        var remove = function() {
          emitter.removeListener(ev, cb);
          if (emitter.listeners("exit").length === 0 && emitter.listeners("afterexit").length === 0) {
            unload();
          }
        };
        emitter.on(ev, cb);
        return remove;
      };
      unload = function unload2() {
        if (!loaded || !processOk(global.process)) {
          return;
        }
        loaded = false;
        signals.forEach(function(sig) {
          try {
            process2.removeListener(sig, sigListeners[sig]);
          } catch (er) {
          }
        });
        process2.emit = originalProcessEmit;
        process2.reallyExit = originalProcessReallyExit;
        emitter.count -= 1;
      };
      module.exports.unload = unload;
      emit = function emit2(event, code, signal) {
        if (emitter.emitted[event]) {
          return;
        }
        emitter.emitted[event] = true;
        emitter.emit(event, code, signal);
      };
      sigListeners = {};
      signals.forEach(function(sig) {
        sigListeners[sig] = function listener() {
          if (!processOk(global.process)) {
            return;
          }
          var listeners = process2.listeners(sig);
          if (listeners.length === emitter.count) {
            unload();
            emit("exit", null, sig);
            emit("afterexit", null, sig);
            if (isWin && sig === "SIGHUP") {
              sig = "SIGINT";
            }
            process2.kill(process2.pid, sig);
          }
        };
      });
      module.exports.signals = function() {
        return signals;
      };
      loaded = false;
      load = function load2() {
        if (loaded || !processOk(global.process)) {
          return;
        }
        loaded = true;
        emitter.count += 1;
        signals = signals.filter(function(sig) {
          try {
            process2.on(sig, sigListeners[sig]);
            return true;
          } catch (er) {
            return false;
          }
        });
        process2.emit = processEmit;
        process2.reallyExit = processReallyExit;
      };
      module.exports.load = load;
      originalProcessReallyExit = process2.reallyExit;
      processReallyExit = function processReallyExit2(code) {
        if (!processOk(global.process)) {
          return;
        }
        process2.exitCode = code || /* istanbul ignore next */
        0;
        emit("exit", process2.exitCode, null);
        emit("afterexit", process2.exitCode, null);
        originalProcessReallyExit.call(process2, process2.exitCode);
      };
      originalProcessEmit = process2.emit;
      processEmit = function processEmit2(ev, arg) {
        if (ev === "exit" && processOk(global.process)) {
          if (arg !== void 0) {
            process2.exitCode = arg;
          }
          var ret = originalProcessEmit.apply(this, arguments);
          emit("exit", process2.exitCode, null);
          emit("afterexit", process2.exitCode, null);
          return ret;
        } else {
          return originalProcessEmit.apply(this, arguments);
        }
      };
    }
    var assert;
    var signals;
    var isWin;
    var EE;
    var emitter;
    var unload;
    var emit;
    var sigListeners;
    var loaded;
    var load;
    var originalProcessReallyExit;
    var processReallyExit;
    var originalProcessEmit;
    var processEmit;
  }
});

// node_modules/proper-lockfile/lib/mtime-precision.js
var require_mtime_precision = __commonJS({
  "node_modules/proper-lockfile/lib/mtime-precision.js"(exports, module) {
    "use strict";
    var cacheSymbol = /* @__PURE__ */ Symbol();
    function probe(file, fs, callback) {
      const cachedPrecision = fs[cacheSymbol];
      if (cachedPrecision) {
        return fs.stat(file, (err, stat) => {
          if (err) {
            return callback(err);
          }
          callback(null, stat.mtime, cachedPrecision);
        });
      }
      const mtime = new Date(Math.ceil(Date.now() / 1e3) * 1e3 + 5);
      fs.utimes(file, mtime, mtime, (err) => {
        if (err) {
          return callback(err);
        }
        fs.stat(file, (err2, stat) => {
          if (err2) {
            return callback(err2);
          }
          const precision = stat.mtime.getTime() % 1e3 === 0 ? "s" : "ms";
          Object.defineProperty(fs, cacheSymbol, { value: precision });
          callback(null, stat.mtime, precision);
        });
      });
    }
    function getMtime(precision) {
      let now = Date.now();
      if (precision === "s") {
        now = Math.ceil(now / 1e3) * 1e3;
      }
      return new Date(now);
    }
    module.exports.probe = probe;
    module.exports.getMtime = getMtime;
  }
});

// node_modules/proper-lockfile/lib/lockfile.js
var require_lockfile = __commonJS({
  "node_modules/proper-lockfile/lib/lockfile.js"(exports, module) {
    "use strict";
    var path = __require("path");
    var fs = require_graceful_fs();
    var retry = require_retry2();
    var onExit = require_signal_exit();
    var mtimePrecision = require_mtime_precision();
    var locks = {};
    function getLockFile(file, options) {
      return options.lockfilePath || `${file}.lock`;
    }
    function resolveCanonicalPath(file, options, callback) {
      if (!options.realpath) {
        return callback(null, path.resolve(file));
      }
      options.fs.realpath(file, callback);
    }
    function acquireLock(file, options, callback) {
      const lockfilePath = getLockFile(file, options);
      options.fs.mkdir(lockfilePath, (err) => {
        if (!err) {
          return mtimePrecision.probe(lockfilePath, options.fs, (err2, mtime, mtimePrecision2) => {
            if (err2) {
              options.fs.rmdir(lockfilePath, () => {
              });
              return callback(err2);
            }
            callback(null, mtime, mtimePrecision2);
          });
        }
        if (err.code !== "EEXIST") {
          return callback(err);
        }
        if (options.stale <= 0) {
          return callback(Object.assign(new Error("Lock file is already being held"), { code: "ELOCKED", file }));
        }
        options.fs.stat(lockfilePath, (err2, stat) => {
          if (err2) {
            if (err2.code === "ENOENT") {
              return acquireLock(file, { ...options, stale: 0 }, callback);
            }
            return callback(err2);
          }
          if (!isLockStale(stat, options)) {
            return callback(Object.assign(new Error("Lock file is already being held"), { code: "ELOCKED", file }));
          }
          removeLock(file, options, (err3) => {
            if (err3) {
              return callback(err3);
            }
            acquireLock(file, { ...options, stale: 0 }, callback);
          });
        });
      });
    }
    function isLockStale(stat, options) {
      return stat.mtime.getTime() < Date.now() - options.stale;
    }
    function removeLock(file, options, callback) {
      options.fs.rmdir(getLockFile(file, options), (err) => {
        if (err && err.code !== "ENOENT") {
          return callback(err);
        }
        callback();
      });
    }
    function updateLock(file, options) {
      const lock2 = locks[file];
      if (lock2.updateTimeout) {
        return;
      }
      lock2.updateDelay = lock2.updateDelay || options.update;
      lock2.updateTimeout = setTimeout(() => {
        lock2.updateTimeout = null;
        options.fs.stat(lock2.lockfilePath, (err, stat) => {
          const isOverThreshold = lock2.lastUpdate + options.stale < Date.now();
          if (err) {
            if (err.code === "ENOENT" || isOverThreshold) {
              return setLockAsCompromised(file, lock2, Object.assign(err, { code: "ECOMPROMISED" }));
            }
            lock2.updateDelay = 1e3;
            return updateLock(file, options);
          }
          const isMtimeOurs = lock2.mtime.getTime() === stat.mtime.getTime();
          if (!isMtimeOurs) {
            return setLockAsCompromised(
              file,
              lock2,
              Object.assign(
                new Error("Unable to update lock within the stale threshold"),
                { code: "ECOMPROMISED" }
              )
            );
          }
          const mtime = mtimePrecision.getMtime(lock2.mtimePrecision);
          options.fs.utimes(lock2.lockfilePath, mtime, mtime, (err2) => {
            const isOverThreshold2 = lock2.lastUpdate + options.stale < Date.now();
            if (lock2.released) {
              return;
            }
            if (err2) {
              if (err2.code === "ENOENT" || isOverThreshold2) {
                return setLockAsCompromised(file, lock2, Object.assign(err2, { code: "ECOMPROMISED" }));
              }
              lock2.updateDelay = 1e3;
              return updateLock(file, options);
            }
            lock2.mtime = mtime;
            lock2.lastUpdate = Date.now();
            lock2.updateDelay = null;
            updateLock(file, options);
          });
        });
      }, lock2.updateDelay);
      if (lock2.updateTimeout.unref) {
        lock2.updateTimeout.unref();
      }
    }
    function setLockAsCompromised(file, lock2, err) {
      lock2.released = true;
      if (lock2.updateTimeout) {
        clearTimeout(lock2.updateTimeout);
      }
      if (locks[file] === lock2) {
        delete locks[file];
      }
      lock2.options.onCompromised(err);
    }
    function lock(file, options, callback) {
      options = {
        stale: 1e4,
        update: null,
        realpath: true,
        retries: 0,
        fs,
        onCompromised: (err) => {
          throw err;
        },
        ...options
      };
      options.retries = options.retries || 0;
      options.retries = typeof options.retries === "number" ? { retries: options.retries } : options.retries;
      options.stale = Math.max(options.stale || 0, 2e3);
      options.update = options.update == null ? options.stale / 2 : options.update || 0;
      options.update = Math.max(Math.min(options.update, options.stale / 2), 1e3);
      resolveCanonicalPath(file, options, (err, file2) => {
        if (err) {
          return callback(err);
        }
        const operation = retry.operation(options.retries);
        operation.attempt(() => {
          acquireLock(file2, options, (err2, mtime, mtimePrecision2) => {
            if (operation.retry(err2)) {
              return;
            }
            if (err2) {
              return callback(operation.mainError());
            }
            const lock2 = locks[file2] = {
              lockfilePath: getLockFile(file2, options),
              mtime,
              mtimePrecision: mtimePrecision2,
              options,
              lastUpdate: Date.now()
            };
            updateLock(file2, options);
            callback(null, (releasedCallback) => {
              if (lock2.released) {
                return releasedCallback && releasedCallback(Object.assign(new Error("Lock is already released"), { code: "ERELEASED" }));
              }
              unlock(file2, { ...options, realpath: false }, releasedCallback);
            });
          });
        });
      });
    }
    function unlock(file, options, callback) {
      options = {
        fs,
        realpath: true,
        ...options
      };
      resolveCanonicalPath(file, options, (err, file2) => {
        if (err) {
          return callback(err);
        }
        const lock2 = locks[file2];
        if (!lock2) {
          return callback(Object.assign(new Error("Lock is not acquired/owned by you"), { code: "ENOTACQUIRED" }));
        }
        lock2.updateTimeout && clearTimeout(lock2.updateTimeout);
        lock2.released = true;
        delete locks[file2];
        removeLock(file2, options, callback);
      });
    }
    function check(file, options, callback) {
      options = {
        stale: 1e4,
        realpath: true,
        fs,
        ...options
      };
      options.stale = Math.max(options.stale || 0, 2e3);
      resolveCanonicalPath(file, options, (err, file2) => {
        if (err) {
          return callback(err);
        }
        options.fs.stat(getLockFile(file2, options), (err2, stat) => {
          if (err2) {
            return err2.code === "ENOENT" ? callback(null, false) : callback(err2);
          }
          return callback(null, !isLockStale(stat, options));
        });
      });
    }
    function getLocks() {
      return locks;
    }
    onExit(() => {
      for (const file in locks) {
        const options = locks[file].options;
        try {
          options.fs.rmdirSync(getLockFile(file, options));
        } catch (e) {
        }
      }
    });
    module.exports.lock = lock;
    module.exports.unlock = unlock;
    module.exports.check = check;
    module.exports.getLocks = getLocks;
  }
});

// node_modules/proper-lockfile/lib/adapter.js
var require_adapter = __commonJS({
  "node_modules/proper-lockfile/lib/adapter.js"(exports, module) {
    "use strict";
    var fs = require_graceful_fs();
    function createSyncFs(fs2) {
      const methods = ["mkdir", "realpath", "stat", "rmdir", "utimes"];
      const newFs = { ...fs2 };
      methods.forEach((method) => {
        newFs[method] = (...args) => {
          const callback = args.pop();
          let ret;
          try {
            ret = fs2[`${method}Sync`](...args);
          } catch (err) {
            return callback(err);
          }
          callback(null, ret);
        };
      });
      return newFs;
    }
    function toPromise(method) {
      return (...args) => new Promise((resolve3, reject) => {
        args.push((err, result) => {
          if (err) {
            reject(err);
          } else {
            resolve3(result);
          }
        });
        method(...args);
      });
    }
    function toSync(method) {
      return (...args) => {
        let err;
        let result;
        args.push((_err, _result) => {
          err = _err;
          result = _result;
        });
        method(...args);
        if (err) {
          throw err;
        }
        return result;
      };
    }
    function toSyncOptions(options) {
      options = { ...options };
      options.fs = createSyncFs(options.fs || fs);
      if (typeof options.retries === "number" && options.retries > 0 || options.retries && typeof options.retries.retries === "number" && options.retries.retries > 0) {
        throw Object.assign(new Error("Cannot use retries with the sync api"), { code: "ESYNC" });
      }
      return options;
    }
    module.exports = {
      toPromise,
      toSync,
      toSyncOptions
    };
  }
});

// node_modules/proper-lockfile/index.js
var require_proper_lockfile = __commonJS({
  "node_modules/proper-lockfile/index.js"(exports, module) {
    "use strict";
    var lockfile2 = require_lockfile();
    var { toPromise, toSync, toSyncOptions } = require_adapter();
    async function lock(file, options) {
      const release = await toPromise(lockfile2.lock)(file, options);
      return toPromise(release);
    }
    function lockSync(file, options) {
      const release = toSync(lockfile2.lock)(file, toSyncOptions(options));
      return toSync(release);
    }
    function unlock(file, options) {
      return toPromise(lockfile2.unlock)(file, options);
    }
    function unlockSync(file, options) {
      return toSync(lockfile2.unlock)(file, toSyncOptions(options));
    }
    function check(file, options) {
      return toPromise(lockfile2.check)(file, options);
    }
    function checkSync(file, options) {
      return toSync(lockfile2.check)(file, toSyncOptions(options));
    }
    module.exports = lock;
    module.exports.lock = lock;
    module.exports.unlock = unlock;
    module.exports.lockSync = lockSync;
    module.exports.unlockSync = unlockSync;
    module.exports.check = check;
    module.exports.checkSync = checkSync;
  }
});

// src/cli.ts
import { parseArgs } from "node:util";

// src/errors.ts
var PybinError = class extends Error {
  constructor(message, input) {
    super(message);
    this.input = input;
    this.name = "PybinError";
  }
  input;
};
function errorMessage(error) {
  return error instanceof Error ? error.message : String(error);
}

// src/progress.ts
function formatSeconds(ms) {
  return `${(ms / 1e3).toFixed(1)}s`;
}
function createProgress(write = (line) => process.stderr.write(`${line}
`)) {
  return {
    info: (message) => write(`pybin: ${message}`),
    warn: (message) => write(`pybin: warning: ${message}`),
    async stage(label, work) {
      const started = Date.now();
      write(`pybin: ${label} ...`);
      const result = await work();
      write(`pybin: ${label} done in ${formatSeconds(Date.now() - started)}`);
      return result;
    }
  };
}

// src/toolchain/toolchain.ts
import { chmodSync as chmodSync2, copyFileSync as copyFileSync3, mkdirSync as mkdirSync7, readdirSync as readdirSync5, readFileSync as readFileSync5, rmSync as rmSync5, writeFileSync as writeFileSync5 } from "node:fs";
import { cpus } from "node:os";
import { basename as basename3, join as join9 } from "node:path";

// src/paths.ts
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
function packageRoot() {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json"))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error("pybin: cannot find its package root (package.json)");
    dir = parent;
  }
  return dir;
}

// src/toolchain/cache.ts
var import_proper_lockfile = __toESM(require_proper_lockfile(), 1);
import { randomBytes } from "node:crypto";
import { existsSync as existsSync2, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { basename, dirname as dirname2, join as join2, resolve } from "node:path";
function resolveCacheDir(option, env = process.env) {
  if (option) return resolve(option);
  if (env.PYBIN_CACHE_DIR) return resolve(env.PYBIN_CACHE_DIR);
  return join2(env.XDG_CACHE_HOME || join2(homedir(), ".cache"), "pybin");
}
function ensureWritableDir(dir, what, input) {
  const probe = join2(dir, `.write-test-${process.pid}`);
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(probe, "");
    rmSync(probe);
  } catch (error) {
    throw new PybinError(
      `${what} ${dir} is not writable (${errorMessage(error)}); choose a writable directory with --${input}`,
      input
    );
  }
}
async function buildOnce(finalDir, build) {
  if (existsSync2(finalDir)) return { hit: true };
  const parent = dirname2(finalDir);
  mkdirSync(parent, { recursive: true });
  const release = await import_proper_lockfile.default.lock(finalDir, {
    realpath: false,
    lockfilePath: `${finalDir}.lock`,
    stale: 6e4,
    update: 1e4,
    retries: { forever: true, minTimeout: 250, maxTimeout: 2e3, factor: 1.5 }
  });
  try {
    if (existsSync2(finalDir)) return { hit: true };
    const workDir = join2(parent, `.tmp-${basename(finalDir)}-${process.pid}-${randomBytes(4).toString("hex")}`);
    try {
      await build(workDir);
      renameSync(workDir, finalDir);
    } finally {
      rmSync(workDir, { recursive: true, force: true });
    }
    return { hit: false };
  } finally {
    await release();
  }
}

// src/toolchain/compiler.ts
import { accessSync, chmodSync, constants, mkdirSync as mkdirSync2, writeFileSync as writeFileSync2 } from "node:fs";
import { delimiter, join as join3 } from "node:path";

// src/toolchain/exec.ts
import { spawn } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
var TAIL_LINES = 20;
var MAX_LINE = 300;
var cut = (line) => line.length > MAX_LINE ? `${line.slice(0, MAX_LINE)} \u2026` : line;
function logExcerpt(log) {
  const lines = log.trimEnd().split("\n");
  const tail = lines.slice(-TAIL_LINES);
  const errors = lines.filter((l) => /\berror\b/i.test(l) && !tail.includes(l)).slice(-10);
  return [...errors.length ? [...errors, "\u2026"] : [], ...tail].map(cut).join("\n");
}
async function runLogged(argv, options) {
  const [command, ...args] = argv;
  if (!command) throw new Error("runLogged: empty command");
  const log = openSync(options.logFile, "a");
  try {
    const exit = await new Promise((resolve3) => {
      const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ["ignore", log, log] });
      child.on("error", (error) => resolve3({ code: null, error }));
      child.on("close", (code, signal) => resolve3({ code: code ?? (signal ? 128 : 1) }));
    });
    if (exit.code === 0) return;
    const tail = logExcerpt(readFileSync(options.logFile, "utf8"));
    const why = exit.error ? `could not start ${command}: ${exit.error.message}` : `exit status ${exit.code}`;
    throw new PybinError(
      `${options.label} failed (${why}): \`${cut(argv.join(" "))}\`
--- last lines of the log ---
${tail}
--- full log: ${options.logFile}`
    );
  } finally {
    closeSync(log);
  }
}
async function capture(argv, env = process.env) {
  const [command, ...args] = argv;
  if (!command) throw new Error("capture: empty command");
  return new Promise((resolve3, reject) => {
    const child = spawn(command, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => out += d.toString());
    child.stderr.on("data", (d) => err += d.toString());
    child.on("error", reject);
    child.on(
      "close",
      (code) => code === 0 ? resolve3(out) : reject(new Error(`\`${argv.join(" ")}\` exited ${code}: ${err.trim()}`))
    );
  });
}

// src/toolchain/hash.ts
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
function sha256(data) {
  return createHash("sha256").update(data).digest("hex");
}
async function sha256File(path) {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk);
  return hash.digest("hex");
}
function canonicalJson(value) {
  return JSON.stringify(
    value,
    (_key, v) => v && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0)) : v
  );
}
function hashOf(value) {
  return sha256(canonicalJson(value));
}

// src/toolchain/compiler.ts
async function detectCompiler(target, env = process.env) {
  const { command, installHint } = target.compiler;
  const path = findOnPath(command, env.PATH ?? "");
  if (!path) {
    throw new PybinError(`no ${target.libc} C compiler found (${command} is not on PATH): ${installHint}`, "compiler");
  }
  const version = (await capture([path, "--version"], env)).split("\n")[0] ?? "";
  const libc = (await capture([path, "-print-file-name=libc.a"], env)).trim();
  return { path, identity: `${version} libc.a:${await sha256File(libc)}` };
}
function findOnPath(command, path) {
  for (const dir of path.split(delimiter).filter(Boolean)) {
    const candidate = join3(dir, command);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
    }
  }
  return void 0;
}
function writeCompilerWrapper(toolsDir, compiler, kernelHeaders) {
  mkdirSync2(toolsDir, { recursive: true });
  const wrapper = join3(toolsDir, "cc");
  writeFileSync2(
    wrapper,
    [
      "#!/bin/sh",
      'for arg do [ "$arg" = --print-multiarch ] && exit 0; done',
      `exec "${compiler.path}" "$@" -idirafter "${kernelHeaders}"`,
      ""
    ].join("\n")
  );
  chmodSync(wrapper, 493);
  return wrapper;
}

// src/toolchain/context.ts
import { existsSync as existsSync3, mkdirSync as mkdirSync3, rmSync as rmSync2, symlinkSync } from "node:fs";
import { join as join4 } from "node:path";
var BUILD_PATH_ALIAS = "/pybin-build";
function createScratch(ctx, name) {
  const dir = join4(ctx.cacheDir, "scratch", `${name}-${process.pid}`);
  rmSync2(dir, { recursive: true, force: true });
  const kernelHeaders = join4(dir, "kernel-include");
  mkdirSync3(kernelHeaders, { recursive: true });
  linkKernelHeaders(ctx.target, kernelHeaders);
  const logDir = join4(ctx.cacheDir, "logs", name);
  rmSync2(logDir, { recursive: true, force: true });
  mkdirSync3(logDir, { recursive: true });
  return { dir, cc: writeCompilerWrapper(join4(dir, "tools"), ctx.compiler, kernelHeaders), logDir };
}
function linkKernelHeaders(target, into) {
  const asmCandidates = [`/usr/include/${target.arch}-linux-gnu/asm`, "/usr/include/asm"];
  const asm = asmCandidates.find((dir) => existsSync3(dir));
  if (!existsSync3("/usr/include/linux") || !asm) {
    throw new PybinError(
      "Linux kernel headers are missing: install them (`sudo apt-get install linux-libc-dev` on Debian/Ubuntu)",
      "compiler"
    );
  }
  symlinkSync("/usr/include/linux", join4(into, "linux"));
  symlinkSync("/usr/include/asm-generic", join4(into, "asm-generic"));
  symlinkSync(asm, join4(into, "asm"));
}
function buildEnv(ctx, scratch, extra = {}) {
  return {
    PATH: `${join4(scratch.dir, "tools")}:${process.env.PATH ?? "/usr/bin:/bin"}`,
    HOME: process.env.HOME ?? "/tmp",
    LC_ALL: "C",
    TZ: "UTC",
    SOURCE_DATE_EPOCH: "315532800",
    CC: scratch.cc,
    CFLAGS: cflags(ctx, scratch),
    // Not target.ldflags: `-static` here makes OpenSSL's Configure drop threads.
    LDFLAGS: "",
    PKG_CONFIG_PATH: "",
    PKG_CONFIG_LIBDIR: join4(scratch.dir, "no-pkgconfig"),
    ...extra
  };
}
function cflags(ctx, scratch) {
  return [...ctx.target.cflags, `-ffile-prefix-map=${scratch.dir}=${BUILD_PATH_ALIAS}`].join(" ");
}

// src/toolchain/cpython.ts
import { readdirSync, readFileSync as readFileSync2, writeFileSync as writeFileSync3 } from "node:fs";
import { join as join5 } from "node:path";

// src/toolchain/recipes.ts
var autotools = (...configureArgs) => [
  ["./configure", "--prefix={prefix}", "--disable-shared", "--enable-static", ...configureArgs],
  ["make", "-j{jobs}"],
  ["make", "install"]
];
var LIBRARIES = {
  zlib: {
    name: "zlib",
    version: "1.3.1",
    url: "https://github.com/madler/zlib/releases/download/v1.3.1/zlib-1.3.1.tar.gz",
    sha256: "9a93b2b7dfdac77ceba5a558a580e74667dd6fede4585b91eefb60f03b72df23",
    licenseFiles: ["LICENSE"],
    steps: [["./configure", "--prefix={prefix}", "--static"], ["make", "-j{jobs}", "libz.a"], ["make", "install"]]
  },
  bzip2: {
    name: "bzip2",
    version: "1.0.8",
    url: "https://sourceware.org/pub/bzip2/bzip2-1.0.8.tar.gz",
    sha256: "ab5a03176ee106d3f0fa90e381da478ddae405918153cca248e682cd0c4a2269",
    licenseFiles: ["LICENSE"],
    // bzip2's Makefile ignores CFLAGS from the environment.
    steps: [
      ["make", "-j{jobs}", "libbz2.a", "CC=cc", "CFLAGS={cflags} -D_FILE_OFFSET_BITS=64"],
      ["install", "-D", "-m", "644", "libbz2.a", "{prefix}/lib/libbz2.a"],
      ["install", "-D", "-m", "644", "bzlib.h", "{prefix}/include/bzlib.h"]
    ]
  },
  xz: {
    name: "xz",
    version: "5.8.1",
    url: "https://github.com/tukaani-project/xz/releases/download/v5.8.1/xz-5.8.1.tar.xz",
    sha256: "0b54f79df85912504de0b14aec7971e3f964491af1812d83447005807513cd9e",
    licenseFiles: ["COPYING", "COPYING.0BSD"],
    steps: autotools(
      "--disable-xz",
      "--disable-xzdec",
      "--disable-lzmadec",
      "--disable-lzmainfo",
      "--disable-lzma-links",
      "--disable-scripts",
      "--disable-doc",
      "--disable-nls"
    )
  },
  libffi: {
    name: "libffi",
    version: "3.4.8",
    url: "https://github.com/libffi/libffi/releases/download/v3.4.8/libffi-3.4.8.tar.gz",
    sha256: "bc9842a18898bfacb0ed1252c4febcc7e78fa139fd27fdc7a3e30d9d9356119b",
    licenseFiles: ["LICENSE"],
    steps: [
      // Release tarballs ship ./configure; git snapshots (Debian's orig tarball) need autoreconf.
      ["sh", "-c", "test -x configure || autoreconf -fi"],
      ...autotools("--disable-docs", "--disable-multi-os-directory")
    ]
  },
  openssl: {
    name: "openssl",
    version: "3.5.7",
    url: "https://github.com/openssl/openssl/releases/download/openssl-3.5.7/openssl-3.5.7.tar.gz",
    sha256: "a8c0d28a529ca480f9f36cf5792e2cd21984552a3c8e4aa11a24aa31aeac98e8",
    licenseFiles: ["LICENSE.txt"],
    steps: [
      [
        "./Configure",
        "{opensslTarget}",
        "--prefix={prefix}",
        "--libdir=lib",
        // Compiled-in default: /etc/ssl/cert.pem and /etc/ssl/certs (Debian,
        // Alpine). Other distributions' bundles are found by patches/*/ssl-*.
        "--openssldir=/etc/ssl",
        "no-shared",
        "no-module",
        "no-tests",
        "no-docs",
        "no-afalgeng",
        "no-engine"
      ],
      ["make", "-j{jobs}", "build_libs"],
      ["make", "install_dev"]
    ]
  },
  sqlite: {
    name: "sqlite",
    version: "3.46.1",
    url: "https://sqlite.org/2024/sqlite-autoconf-3460100.tar.gz",
    sha256: "67d3fe6d268e6eaddcae3727fce58fcc8e9c53869bdd07a0c61e38ddf2965071",
    licenseFiles: ["LICENSE.md"],
    licenseFallback: 'SQLite is in the public domain: https://www.sqlite.org/copyright.html\n"Anyone is free to copy, modify, publish, use, compile, sell, or distribute the original SQLite code."\n',
    steps: [
      [
        "./configure",
        "--prefix={prefix}",
        "--disable-shared",
        "--enable-static",
        "--disable-tcl",
        "--disable-readline",
        "--disable-editline",
        "CFLAGS={cflags} -DSQLITE_ENABLE_FTS5 -DSQLITE_ENABLE_FTS4 -DSQLITE_ENABLE_RTREE -DSQLITE_ENABLE_MATH_FUNCTIONS -DSQLITE_ENABLE_DBSTAT_VTAB"
      ],
      ["make", "-j{jobs}", "libsqlite3.la"],
      ["make", "install"]
    ]
  },
  mpdecimal: {
    name: "mpdecimal",
    version: "4.0.1",
    url: "https://www.bytereef.org/software/mpdecimal/releases/mpdecimal-4.0.1.tar.gz",
    sha256: "96d33abb4bb0070c7be0fed4246cd38416188325f820468214471938545b1ac8",
    licenseFiles: ["LICENSE.txt", "COPYRIGHT.txt"],
    steps: autotools("--disable-cxx")
  },
  zstd: {
    name: "zstd",
    version: "1.5.7",
    url: "https://github.com/facebook/zstd/releases/download/v1.5.7/zstd-1.5.7.tar.gz",
    sha256: "eb33e51f49a15e023950cd7825ca74a4a2b43db8354825ac24fc1b7ee09e6fa3",
    licenseFiles: ["LICENSE"],
    steps: [
      ["make", "-C", "lib", "-j{jobs}", "libzstd.a", "CFLAGS={cflags}"],
      ["make", "-C", "lib", "install-static", "install-includes", "install-pc", "PREFIX={prefix}"]
    ]
  }
};
var BASE_LIBRARIES = ["zlib", "bzip2", "xz", "libffi", "openssl", "sqlite"];
var BASE_MODULES = [
  "_ssl",
  "_hashlib",
  "_sqlite3",
  "_ctypes",
  "_lzma",
  "_bz2",
  "zlib",
  "_decimal",
  "pyexpat",
  "_elementtree",
  "_asyncio",
  "_json",
  "unicodedata",
  "_multibytecodec",
  "_codecs_cn",
  "_codecs_jp",
  "_zoneinfo",
  "_socket",
  "select",
  "_posixsubprocess",
  "_multiprocessing",
  "_posixshmem",
  "_blake2",
  "_sha3",
  "_md5",
  "_sha2",
  "math",
  "_struct",
  "array",
  "_datetime",
  "binascii",
  "fcntl",
  "mmap"
];
var PY311_MODULES = BASE_MODULES.map((m) => m === "_sha2" ? "_sha256" : m);
var PYTHONS = [
  {
    version: "3.11.2",
    url: "https://www.python.org/ftp/python/3.11.2/Python-3.11.2.tgz",
    sha256: "2411c74bda5bbcfcddaf4531f66d1adc73f247f529aee981b029513aefdbf849",
    // 3.11 builds _decimal from its bundled libmpdec.
    libraries: BASE_LIBRARIES,
    configureArgs: [],
    requiredModules: [...PY311_MODULES, "_sha512"],
    allocator: "pymalloc"
  },
  {
    version: "3.12.15",
    url: "https://www.python.org/ftp/python/3.12.15/Python-3.12.15.tar.xz",
    sha256: "c2c4321961fab0fb999d66e0cecf521c2ab3994c7992873ea99e306c1094fd5a",
    libraries: [...BASE_LIBRARIES, "mpdecimal"],
    configureArgs: ["--with-system-libmpdec"],
    requiredModules: BASE_MODULES,
    allocator: "pymalloc"
  },
  {
    version: "3.13.5",
    url: "https://www.python.org/ftp/python/3.13.5/Python-3.13.5.tar.xz",
    sha256: "93e583f243454e6e9e4588ca2c2662206ad961659863277afcdb96801647d640",
    libraries: [...BASE_LIBRARIES, "mpdecimal"],
    configureArgs: ["--with-system-libmpdec"],
    requiredModules: BASE_MODULES,
    allocator: "pymalloc"
  },
  {
    version: "3.14.8",
    url: "https://www.python.org/ftp/python/3.14.8/Python-3.14.8.tar.xz",
    sha256: "c2215904f02b175596dc49351585104f4bc20341e1c47378b26a2c274360ce73",
    libraries: [...BASE_LIBRARIES, "mpdecimal", "zstd"],
    configureArgs: ["--with-system-libmpdec"],
    requiredModules: [...BASE_MODULES, "_zstd"],
    allocator: "pymalloc"
  },
  {
    version: "3.15.0rc2",
    url: "https://www.python.org/ftp/python/3.15.0/Python-3.15.0rc2.tar.xz",
    sha256: "8d93af5eaaaea5adfd41bd786a7ba3f03f2ad1ab57c6a65e0b963deab91d5ad7",
    libraries: [...BASE_LIBRARIES, "mpdecimal", "zstd"],
    configureArgs: ["--with-system-libmpdec"],
    requiredModules: [...BASE_MODULES, "_zstd"],
    allocator: "pymalloc"
  }
];
var CPYTHON_CONFIGURE_ARGS = [
  "--prefix=/pybin",
  "--disable-shared",
  "--disable-test-modules",
  "--without-ensurepip",
  "--with-readline=no",
  // Modules whose libraries we do not build: without this, configure finds
  // the host's glibc builds of them.
  "py_cv_module__tkinter=n/a",
  "py_cv_module__curses=n/a",
  "py_cv_module__curses_panel=n/a",
  "py_cv_module_readline=n/a",
  "py_cv_module__dbm=n/a",
  "py_cv_module__gdbm=n/a",
  "py_cv_module__uuid=n/a",
  "py_cv_module_nis=n/a"
];
var CPYTHON_BUNDLED_LICENSES = {
  cpython: "LICENSE",
  expat: "Modules/expat/COPYING"
};
var STDLIB_EXCLUDES = ["test", "idlelib", "tkinter", "turtledemo", "ensurepip", "lib2to3", "site-packages"];

// src/toolchain/cpython.ts
function minorVersion(version) {
  return version.split(".").slice(0, 2).join(".");
}
function patchFiles(version) {
  const dir = join5(packageRoot(), "patches", minorVersion(version));
  try {
    return readdirSync(dir).filter((f) => f.endsWith(".patch")).sort().map((f) => join5(dir, f));
  } catch {
    return [];
  }
}
function cpythonEnv(ctx, scratch, libraries) {
  return buildEnv(ctx, scratch, {
    CPPFLAGS: libraries.map((l) => `-I${l.prefix}/include`).join(" "),
    LDFLAGS: [...ctx.target.ldflags, ...libraries.map((l) => `-L${l.prefix}/lib`)].join(" "),
    PKG_CONFIG_LIBDIR: libraries.map((l) => `${l.prefix}/lib/pkgconfig`).join(":")
  });
}
async function buildCPython(ctx, scratch, recipe, srcDir, libraries) {
  const log = (name) => join5(scratch.logDir, `${name}.log`);
  const env = cpythonEnv(ctx, scratch, libraries);
  const run = (argv, step) => runLogged(argv, { cwd: srcDir, env, logFile: log(step), label: `cpython-${recipe.version}: ${step}` });
  for (const patch of patchFiles(recipe.version)) {
    await run(["patch", "-p1", "--forward", "--batch", "-i", patch], "patch");
  }
  const openssl = libraries.find((l) => l.name === "openssl");
  await ctx.progress.stage(
    `configure cpython-${recipe.version}`,
    () => run(
      [
        "./configure",
        ...CPYTHON_CONFIGURE_ARGS,
        ...recipe.configureArgs,
        ...openssl ? [`--with-openssl=${openssl.prefix}`] : []
      ],
      "configure"
    )
  );
  const setup = join5(srcDir, "Modules", "Setup.stdlib");
  writeFileSync3(setup, readFileSync2(setup, "utf8").replace(/^\*shared\*$/gm, "*static*"));
  await ctx.progress.stage(`make cpython-${recipe.version}`, () => run(["make", `-j${ctx.jobs}`], "make"));
}
async function cpythonLinkArgs(srcDir, env) {
  const out = await capture(
    [
      "make",
      "-s",
      "--no-print-directory",
      "-C",
      srcDir,
      "--eval",
      "pybin-link-args: ; @echo $(PY_LDFLAGS) $(PY_LDFLAGS_NODIST) $(LIBS) $(MODLIBS) $(SYSLIBS)",
      "pybin-link-args"
    ],
    env
  );
  return out.trim().split(/\s+/).filter(Boolean);
}
async function compileStdlib(srcDir, buildLib, env, jobs, logFile) {
  const exclude = `/Lib/(${STDLIB_EXCLUDES.join("|")})/`;
  for (const dir of [join5(srcDir, "Lib"), buildLib]) {
    await runLogged(
      [
        "./python",
        "-E",
        "-S",
        "-m",
        "compileall",
        "-q",
        "-b",
        `-j${jobs}`,
        "--invalidation-mode",
        "unchecked-hash",
        "-s",
        dir,
        "-x",
        exclude,
        dir
      ],
      { cwd: srcDir, env, logFile, label: "compile the stdlib" }
    );
  }
}

// src/toolchain/library.ts
import { copyFileSync, existsSync as existsSync5, mkdirSync as mkdirSync5, readdirSync as readdirSync3, readFileSync as readFileSync4, rmSync as rmSync4, writeFileSync as writeFileSync4 } from "node:fs";
import { join as join7 } from "node:path";

// src/toolchain/sources.ts
import { createWriteStream, existsSync as existsSync4, mkdirSync as mkdirSync4, readdirSync as readdirSync2, readFileSync as readFileSync3, renameSync as renameSync2, rmSync as rmSync3 } from "node:fs";
import { basename as basename2, dirname as dirname3, isAbsolute, join as join6, resolve as resolve2 } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
var SHA256 = /^[0-9a-f]{64}$/;
function loadSourceOverrides(file) {
  let parsed;
  try {
    parsed = JSON.parse(readFileSync3(file, "utf8"));
  } catch (error) {
    throw new PybinError(`--sources ${file}: cannot read it as JSON (${errorMessage(error)})`, "sources");
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new PybinError(`--sources ${file}: expected an object mapping components to { "url" | "path", "sha256" }`, "sources");
  }
  const overrides = {};
  for (const [id, entry] of Object.entries(parsed)) {
    const e = entry ?? {};
    const where = `--sources ${file}: "${id}"`;
    if (typeof e.sha256 !== "string" || !SHA256.test(e.sha256.toLowerCase())) {
      throw new PybinError(`${where} needs a "sha256" of 64 hex digits`, "sources");
    }
    if (typeof e.url === "string" === (typeof e.path === "string")) {
      throw new PybinError(`${where} needs exactly one of "url" or "path"`, "sources");
    }
    const path = typeof e.path === "string" ? isAbsolute(e.path) ? e.path : resolve2(dirname3(file), e.path) : void 0;
    overrides[id] = { sha256: e.sha256.toLowerCase(), ...path ? { path } : { url: e.url } };
  }
  return overrides;
}
function resolveSource(name, pin, overrides) {
  const id = `${name}-${pin.version}`;
  return { id, version: pin.version, ...overrides[id] ?? { url: pin.url, sha256: pin.sha256 } };
}
async function fetchSource(source, cacheDir, progress) {
  if (source.path) {
    if (!existsSync4(source.path)) {
      throw new PybinError(
        `missing source tarball for ${source.id}: ${source.path} does not exist (fix the path in your --sources file, or re-run scripts/offline-sources.sh)`,
        "sources"
      );
    }
    await verify(source, source.path);
    return source.path;
  }
  const url = source.url;
  const dir = join6(cacheDir, "sources", source.sha256);
  const file = join6(dir, basename2(new URL(url).pathname) || "source");
  if (existsSync4(file)) {
    try {
      await verify(source, file);
      return file;
    } catch {
      rmSync3(file, { force: true });
    }
  }
  mkdirSync4(dir, { recursive: true });
  const partial = `${file}.${process.pid}.partial`;
  await progress.stage(`download ${source.id}`, () => download(url, partial, source.id));
  try {
    await verify(source, partial);
  } catch (error) {
    rmSync3(partial, { force: true });
    throw error;
  }
  renameSync2(partial, file);
  return file;
}
async function download(url, dest, id) {
  const attempts = 3;
  for (let attempt = 1; ; attempt++) {
    try {
      const response = await fetch(url, { redirect: "follow" });
      if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`);
      await pipeline(Readable.fromWeb(response.body), createWriteStream(dest));
      return;
    } catch (error) {
      const transient = !/HTTP 4\d\d/.test(errorMessage(error));
      if (attempt >= attempts || !transient) {
        rmSync3(dest, { force: true });
        throw new PybinError(
          `cannot download ${id} from ${url}: ${errorMessage(error)}. Offline or behind a mirror? Pass --sources FILE (scripts/offline-sources.sh makes one).`,
          "sources"
        );
      }
      await new Promise((r) => setTimeout(r, 1e3 * attempt));
    }
  }
}
async function verify(source, file) {
  const actual = await sha256File(file);
  if (actual !== source.sha256) {
    throw new PybinError(
      `checksum mismatch for ${source.id} (${file}): expected sha256 ${source.sha256}, got ${actual}. The file was not unpacked.`,
      "sources"
    );
  }
}
async function unpack(archive, into, logFile) {
  mkdirSync4(into, { recursive: true });
  await runLogged(["tar", "-xf", archive, "-C", into, "--no-same-owner"], {
    cwd: into,
    env: process.env,
    logFile,
    label: `unpack ${basename2(archive)}`
  });
  const entries = readdirSync2(into);
  const [top] = entries;
  if (entries.length !== 1 || !top) throw new PybinError(`${archive}: expected one top-level directory, found ${entries.length}`);
  return join6(into, top);
}

// src/toolchain/library.ts
var LIBRARY_SCHEMA = 2;
function libraryKey(ctx, recipe, source) {
  return hashOf({
    schema: LIBRARY_SCHEMA,
    recipe: { ...recipe, url: void 0, sha256: source.sha256 },
    target: ctx.target,
    compiler: ctx.compiler.identity
  });
}
function libraryPrefix(ctx, recipe, key) {
  return join7(ctx.cacheDir, "libs", ctx.target.triple, `${recipe.name}-${recipe.version}-${key.slice(0, 16)}`);
}
async function ensureLibrary(ctx, recipe, source) {
  const key = libraryKey(ctx, recipe, source);
  const prefix = libraryPrefix(ctx, recipe, key);
  const built = { name: recipe.name, version: recipe.version, sha256: source.sha256, prefix, key };
  await buildOnce(prefix, async (out) => {
    const archive = await fetchSource(source, ctx.cacheDir, ctx.progress);
    await ctx.progress.stage(`build ${source.id}`, async () => {
      const scratch = createScratch(ctx, source.id);
      try {
        const log = join7(scratch.logDir, "build.log");
        const srcDir = await unpack(archive, join7(scratch.dir, "src"), log);
        const env = buildEnv(ctx, scratch);
        for (const step of recipe.steps) {
          const argv = step.map((arg) => substitute(arg, { prefix: out, jobs: String(ctx.jobs), opensslTarget: ctx.target.opensslTarget, cflags: cflags(ctx, scratch) }));
          await runLogged(argv, { cwd: srcDir, env, logFile: log, label: `${source.id}: ${step[0]}` });
        }
        copyLicenses(recipe, srcDir, join7(out, "licenses"));
        relocate(out, prefix);
      } finally {
        rmSync4(scratch.dir, { recursive: true, force: true });
      }
    });
  });
  return built;
}
function relocate(from, to) {
  const dirs = [join7(from, "lib"), join7(from, "lib", "pkgconfig")].filter((d) => existsSync5(d));
  for (const dir of dirs) {
    for (const file of readdirSync3(dir).filter((f) => f.endsWith(".pc") || f.endsWith(".la"))) {
      const path = join7(dir, file);
      writeFileSync4(path, readFileSync4(path, "utf8").split(from).join(to));
    }
  }
}
function substitute(arg, values) {
  return arg.replace(/\{(\w+)\}/g, (whole, name) => values[name] ?? whole);
}
function copyLicenses(recipe, srcDir, into) {
  mkdirSync5(into, { recursive: true });
  const found = recipe.licenseFiles.filter((file) => existsSync5(join7(srcDir, file)));
  found.forEach(
    (file, i) => copyFileSync(join7(srcDir, file), join7(into, `${recipe.name}${i ? `-${file.replace(/\W+/g, "_")}` : ""}.txt`))
  );
  if (found.length === 0) {
    if (!recipe.licenseFallback) {
      throw new PybinError(`${recipe.name} ${recipe.version}: none of its license files (${recipe.licenseFiles.join(", ")}) was found`);
    }
    writeFileSync4(join7(into, `${recipe.name}.txt`), recipe.licenseFallback);
  }
}

// src/toolchain/stdlib.ts
import { copyFileSync as copyFileSync2, mkdirSync as mkdirSync6, readdirSync as readdirSync4 } from "node:fs";
import { join as join8 } from "node:path";
function copySourcelessTree(from, to, top = true) {
  let count = 0;
  mkdirSync6(to, { recursive: true });
  for (const entry of readdirSync4(from, { withFileTypes: true })) {
    if (entry.name === "__pycache__" || top && STDLIB_EXCLUDES.includes(entry.name)) continue;
    const source = join8(from, entry.name);
    if (entry.isDirectory()) {
      count += copySourcelessTree(source, join8(to, entry.name), false);
    } else if (entry.isFile() && !entry.name.endsWith(".py")) {
      copyFileSync2(source, join8(to, entry.name));
      count++;
    }
  }
  return count;
}

// src/toolchain/targets.ts
var MUSL_HINT = "install musl-gcc: `sudo apt-get install musl-tools` on Debian/Ubuntu, `apk add musl-dev gcc` on Alpine";
var TARGETS = [
  {
    triple: "x86_64-linux-musl",
    os: "linux",
    arch: "x86_64",
    libc: "musl",
    compiler: { command: "musl-gcc", installHint: MUSL_HINT },
    opensslTarget: "linux-x86_64",
    cflags: ["-O2", "-fPIC"],
    ldflags: ["-static"],
    // musl gives threads 128 KiB of stack unless the binary asks for more.
    launcherLdflags: ["-Wl,-z,stack-size=1048576"]
  },
  {
    triple: "aarch64-linux-musl",
    os: "linux",
    arch: "aarch64",
    libc: "musl",
    compiler: { command: "musl-gcc", installHint: MUSL_HINT },
    opensslTarget: "linux-aarch64",
    cflags: ["-O2", "-fPIC"],
    ldflags: ["-static"],
    launcherLdflags: ["-Wl,-z,stack-size=1048576"]
  }
];
function hostTarget(platform = process.platform, arch = process.arch) {
  const wanted = platform === "linux" ? { x64: "x86_64", arm64: "aarch64" }[arch] : void 0;
  const target = TARGETS.find((t) => t.os === "linux" && t.arch === wanted);
  if (!target) {
    throw new PybinError(
      `pybin cannot build an interpreter on ${platform}/${arch} yet; supported build hosts: ` + TARGETS.map((t) => t.triple).join(", ")
    );
  }
  return target;
}

// src/toolchain/versions.ts
var PRERELEASE = /(a|b|rc)\d+$/;
function supportedVersions(pythons = PYTHONS) {
  return pythons.map((p) => `${p.version.split(".").slice(0, 2).join(".")} (${p.version})`).join(", ");
}
function selectPython(requested, pythons = PYTHONS) {
  const wanted = requested?.trim();
  if (!wanted) {
    const finals = pythons.filter((p) => !PRERELEASE.test(p.version));
    const newest = finals[finals.length - 1];
    if (!newest) throw new Error("no final CPython release is pinned");
    return newest;
  }
  if (!/^3\.\d+(\.\d+((a|b|rc)\d+)?)?$/.test(wanted)) {
    throw new PybinError(
      `python version "${wanted}" is not a CPython version like 3.13 or 3.13.5; supported: ${supportedVersions(pythons)}`,
      "python-version"
    );
  }
  const minorOnly = wanted.split(".").length === 2;
  const match = pythons.find((p) => minorOnly ? p.version.startsWith(`${wanted}.`) : p.version === wanted);
  if (!match) {
    throw new PybinError(`python ${wanted} is not supported; supported: ${supportedVersions(pythons)}`, "python-version");
  }
  return match;
}

// src/toolchain/toolchain.ts
var TOOLCHAIN_SCHEMA = 1;
var METADATA_FILE = "pybin-toolchain.json";
async function ensureToolchain(request) {
  const pinned = selectPython(request.python);
  const recipe = request.allocator ? { ...pinned, allocator: request.allocator } : pinned;
  const overrides = request.sourcesFile ? loadSourceOverrides(request.sourcesFile) : {};
  const target = hostTarget();
  const cacheDir = resolveCacheDir(request.cacheDir);
  ensureWritableDir(cacheDir, "cache dir", "cache-dir");
  const jobs = request.jobs ?? cpus().length;
  if (!Number.isInteger(jobs) || jobs < 1) throw new PybinError(`--jobs must be a whole number \u2265 1, got ${jobs}`, "jobs");
  const compiler = await detectCompiler(target);
  const ctx = { cacheDir, target, compiler, jobs, progress: request.progress };
  const pythonSource = resolveSource("cpython", recipe, overrides);
  const libraries = recipe.libraries.map((name) => ({ recipe: LIBRARIES[name], source: resolveSource(name, LIBRARIES[name], overrides) }));
  const key = hashOf({
    schema: TOOLCHAIN_SCHEMA,
    recipe: { ...recipe, url: void 0, sha256: pythonSource.sha256 },
    configure: CPYTHON_CONFIGURE_ARGS,
    stdlibExcludes: STDLIB_EXCLUDES,
    patches: patchFiles(recipe.version).map((p) => [basename3(p), sha256(readFileSync5(p))]),
    launcher: sha256(readFileSync5(launcherSource())),
    libraries: libraries.map((l) => libraryKey(ctx, l.recipe, l.source)),
    target,
    compiler: compiler.identity
  });
  const dir = join9(cacheDir, "toolchains", `cpython-${recipe.version}-${target.triple}-${key.slice(0, 16)}`);
  const { hit } = await buildOnce(dir, async (out) => {
    const built = [];
    for (const l of libraries) built.push(await ensureLibrary(ctx, l.recipe, l.source));
    await assemble(ctx, recipe, pythonSource, built, key, out);
  });
  if (hit) request.progress.info(`toolchain cache hit: ${dir}`);
  return { dir, hit, metadata: JSON.parse(readFileSync5(join9(dir, METADATA_FILE), "utf8")) };
}
function launcherSource() {
  return join9(packageRoot(), "src", "launcher", "pybin-launcher.c");
}
async function assemble(ctx, recipe, source, libraries, key, out) {
  const archive = await fetchSource(source, ctx.cacheDir, ctx.progress);
  const scratch = createScratch(ctx, source.id);
  try {
    const srcDir = await unpack(archive, join9(scratch.dir, "src"), join9(scratch.logDir, "unpack.log"));
    await buildCPython(ctx, scratch, recipe, srcDir, libraries);
    const env = cpythonEnv(ctx, scratch, libraries);
    const minor = minorVersion(recipe.version);
    const launcher = join9(out, "bin", "pybin-launcher");
    await ctx.progress.stage("link the launcher", () => linkLauncher(ctx, scratch, recipe, srcDir, env, launcher));
    const stdlib = join9(out, "lib", `python${minor}`);
    await ctx.progress.stage("compile the stdlib", async () => {
      const buildLib = join9(srcDir, readFileSync5(join9(srcDir, "pybuilddir.txt"), "utf8").trim());
      scrubSysconfig(buildLib, [[scratch.dir, BUILD_PATH_ALIAS], [ctx.cacheDir, "/pybin-cache"]]);
      await compileStdlib(srcDir, buildLib, env, ctx.jobs, join9(scratch.logDir, "stdlib.log"));
      copySourcelessTree(join9(srcDir, "Lib"), stdlib);
      copySourcelessTree(buildLib, stdlib);
    });
    const pipWheel = copyPipWheel(srcDir, join9(out, "lib", "wheels"));
    collectLicenses(srcDir, libraries, join9(out, "licenses"));
    writePythonWrapper(join9(out, "bin", "python3"));
    const builtinModules = await checkBuiltinModules(launcher, recipe);
    const metadata = {
      python: recipe.version,
      target: ctx.target.triple,
      recipeHash: key,
      allocator: recipe.allocator,
      builtinModules,
      components: [
        { name: "cpython", version: recipe.version, sha256: source.sha256, ...source.url ? { url: source.url } : {} },
        ...libraries.map((l) => ({ name: l.name, version: l.version, sha256: l.sha256 }))
      ],
      launcher: "bin/pybin-launcher",
      stdlib: `lib/python${minor}`,
      pipWheel: `lib/wheels/${pipWheel}`
    };
    writeFileSync5(join9(out, METADATA_FILE), `${JSON.stringify(metadata, null, 2)}
`);
  } finally {
    rmSync5(scratch.dir, { recursive: true, force: true });
  }
}
var ALLOCATOR_MACRO = {
  pymalloc: void 0,
  malloc: "PYMEM_ALLOCATOR_MALLOC",
  mimalloc: "PYMEM_ALLOCATOR_MIMALLOC"
};
async function linkLauncher(ctx, scratch, recipe, srcDir, env, launcher) {
  mkdirSync7(join9(launcher, ".."), { recursive: true });
  const minor = minorVersion(recipe.version);
  const allocator = ALLOCATOR_MACRO[recipe.allocator];
  const logFile = join9(scratch.logDir, "launcher.log");
  await runLogged(
    [
      scratch.cc,
      "-O2",
      `-ffile-prefix-map=${scratch.dir}=${BUILD_PATH_ALIAS}`,
      `-I${srcDir}/Include`,
      `-I${srcDir}`,
      ...allocator ? [`-DPYBIN_ALLOCATOR=${allocator}`] : [],
      launcherSource(),
      join9(srcDir, `libpython${minor}.a`),
      ...await cpythonLinkArgs(srcDir, env),
      ...ctx.target.ldflags,
      ...ctx.target.launcherLdflags,
      "-o",
      launcher
    ],
    { cwd: srcDir, env, logFile, label: "link the launcher" }
  );
  await runLogged(["strip", launcher], { cwd: srcDir, env, logFile, label: "strip the launcher" });
}
function scrubSysconfig(buildLib, replacements) {
  for (const file of readdirSync5(buildLib).filter((f) => f.startsWith("_sysconfig") && !f.endsWith(".pyc"))) {
    let text = readFileSync5(join9(buildLib, file), "utf8");
    for (const [from, to] of replacements) text = text.split(from).join(to);
    writeFileSync5(join9(buildLib, file), text);
  }
}
function copyPipWheel(srcDir, into) {
  const bundled = join9(srcDir, "Lib", "ensurepip", "_bundled");
  const wheel = readdirSync5(bundled).find((f) => /^pip-.*\.whl$/.test(f));
  if (!wheel) throw new PybinError(`no pip wheel in ${bundled}`);
  mkdirSync7(into, { recursive: true });
  copyFileSync3(join9(bundled, wheel), join9(into, wheel));
  return wheel;
}
function collectLicenses(srcDir, libraries, into) {
  mkdirSync7(into, { recursive: true });
  for (const [name, file] of Object.entries(CPYTHON_BUNDLED_LICENSES)) copyFileSync3(join9(srcDir, file), join9(into, `${name}.txt`));
  for (const library of libraries) {
    const dir = join9(library.prefix, "licenses");
    for (const file of readdirSync5(dir)) copyFileSync3(join9(dir, file), join9(into, file));
  }
}
function writePythonWrapper(path) {
  writeFileSync5(path, '#!/bin/sh\nPYBIN_INTERPRETER=1 exec "$(dirname "$0")/pybin-launcher" "$@"\n');
  chmodSync2(path, 493);
}
async function checkBuiltinModules(launcher, recipe) {
  const script = "import sys, json; print(json.dumps(sorted(sys.builtin_module_names)))";
  const output = await capture([launcher, "-c", script], { PATH: "/usr/bin:/bin", PYBIN_INTERPRETER: "1" });
  const modules = JSON.parse(output);
  const missing = recipe.requiredModules.filter((m) => !modules.includes(m));
  if (missing.length > 0) {
    throw new PybinError(`cpython-${recipe.version}: these modules were not built in: ${missing.join(", ")} (see the configure and make logs)`);
  }
  return modules;
}

// src/cli.ts
var USAGE = `Usage: pybin <command> [options]

Commands:
  toolchain   Fetch or build the static CPython for this machine; prints its directory.

pybin toolchain [--python VERSION] [--sources FILE] [--cache-dir DIR] [--jobs N]
  --python VERSION   CPython to build: 3.13 (its pinned release) or an exact pin
                     like 3.13.5. Default: the newest final pinned release.
                     Supported: ${supportedVersions()}
  --sources FILE     JSON mapping components ("cpython-3.13.5", "openssl-3.5.7", ...)
                     to { "url" | "path", "sha256" }, for mirrors and offline runners
                     (scripts/offline-sources.sh DIR writes DIR/sources.json).
  --cache-dir DIR    Where toolchains are cached by content.
                     Default: $PYBIN_CACHE_DIR, else $XDG_CACHE_HOME/pybin, else ~/.cache/pybin.
  --jobs N           Parallel compile jobs. Default: the number of CPUs.
  -h, --help         Show this help.

Progress goes to stderr; the last line on stdout is the result.`;
var UsageError = class extends PybinError {
};
async function toolchainCommand(args) {
  const { values } = parseArgs({
    args,
    options: {
      python: { type: "string" },
      sources: { type: "string" },
      "cache-dir": { type: "string" },
      jobs: { type: "string" },
      help: { type: "boolean", short: "h" }
    },
    strict: true,
    allowPositionals: false
  });
  if (values.help) return void console.log(USAGE);
  const jobs = values.jobs === void 0 ? void 0 : Number(values.jobs);
  if (jobs !== void 0 && (!Number.isInteger(jobs) || jobs < 1)) throw new UsageError(`--jobs needs a whole number \u2265 1, got "${values.jobs}"`);
  const started = Date.now();
  const progress = createProgress();
  const toolchain = await ensureToolchain({
    python: values.python,
    sourcesFile: values.sources,
    cacheDir: values["cache-dir"],
    jobs,
    progress
  });
  progress.info(
    `CPython ${toolchain.metadata.python} for ${toolchain.metadata.target} ${toolchain.hit ? "from the cache" : "built"} in ${formatSeconds(Date.now() - started)}`
  );
  console.log(toolchain.dir);
}
async function main(argv) {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case "toolchain":
        await toolchainCommand(rest);
        return 0;
      case void 0:
      case "-h":
      case "--help":
      case "help":
        console.log(USAGE);
        return command === void 0 ? 2 : 0;
      default:
        throw new UsageError(`unknown command "${command}"; run \`pybin --help\``);
    }
  } catch (error) {
    if (error instanceof PybinError || error.code?.startsWith("ERR_PARSE_ARGS")) {
      process.stderr.write(`pybin: error: ${errorMessage(error)}
`);
      return error instanceof UsageError || !(error instanceof PybinError) ? 2 : 1;
    }
    process.stderr.write(`pybin: internal error: ${error instanceof Error ? error.stack ?? error.message : String(error)}
`);
    return 70;
  }
}
process.exitCode = await main(process.argv.slice(2));
