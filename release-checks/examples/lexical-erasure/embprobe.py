# Held-out probe on the first-name rows of the word embeddings (issue 11, session 19). Run from a folder holding
# pretrained.safetensors (the built-in MiniLM saved as safetensors), vocab.txt and the certified model folders named below;
# reads the name lists from the repository's BiosNames.cs. Needs numpy (Debian: python3-numpy).
import re, json, struct, sys
import numpy as np
def load(path, name):
    b=open(path,'rb').read(); n=struct.unpack('<Q',b[:8])[0]; h=json.loads(b[8:8+n])
    e=h[name]; s,t=e['data_offsets']; assert e['dtype']=='F32'
    return np.frombuffer(b[8+n+s:8+n+t],dtype=np.float32).reshape(e['shape'])
src=open('/work/main/src/MlacRelease.Core/Data/BiosNames.cs').read()
def arr(name):
    m=re.search(r'public static readonly string\[\] '+name+r' =\s*\[(.*?)\];',src,re.S)
    return re.findall(r'"([^"]+)"',m.group(1))
vocab=[l.rstrip('\n') for l in open('vocab.txt')]; idx={w:i for i,w in enumerate(vocab)}
F=[idx[n.lower()] for n in arr('Female') if n.lower() in idx]; M=[idx[n.lower()] for n in arr('Male') if n.lower() in idx]
ids=np.array(F+M); y=np.array([1]*len(F)+[0]*len(M))
def logreg(X,y,l2=1e-2,it=500,lr=0.5):
    w=np.zeros(X.shape[1]); b=0.
    for _ in range(it):
        p=1/(1+np.exp(-(X@w+b))); g=X.T@(p-y)/len(y)+l2*w; w-=lr*g; b-=lr*(p-y).mean()
    return w,b
def cv(E, reps=20, frac=0.3, rng=np.random.default_rng(0)):
    X=E[ids]; X=(X-X.mean(0))/X.std()  # global scale
    accs=[]
    for r in range(reps):
        perm=rng.permutation(len(y)); k=int(frac*len(y)); te,tr=perm[:k],perm[k:]
        w,b=logreg(X[tr],y[tr]); accs.append(((X[te]@w+b>0)==y[te]).mean())
    return np.mean(accs)
def erase(E, rank=1):
    # remove the class-mean difference direction(s) estimated on all names (what a defender with the data can compute)
    X=E[ids]; d=X[y==1].mean(0)-X[y==0].mean(0); d/=np.linalg.norm(d)
    E2=E.copy(); E2[ids]-=np.outer(E2[ids]@d,d); return E2
def leace_like(E):
    # whiten-then-erase: remove mean difference in the names' covariance metric
    X=E[ids]; mu=X.mean(0); C=np.cov((X-mu).T)+1e-3*np.eye(X.shape[1]); d=np.linalg.solve(C, X[y==1].mean(0)-X[y==0].mean(0))
    # oblique projection P = I - C d d^T / (d^T C d) ... apply to rows
    Cd=C@d; E2=E.copy(); Xc=E2[ids]-mu; E2[ids]=mu+Xc - np.outer(Xc@d, Cd)/(d@Cd); return E2
for label,path in [('pretrained','pretrained.safetensors'),('A12 step100','a13-step100/model.safetensors'),('A14 step100','a14-step100/model.safetensors'),('A15 step100','a15-step100/model.safetensors')]:
    E=load(path,'embeddings.word_embeddings.weight')
    print(f"{label:12s} names held-out acc raw {cv(E):.3f}  rank1-mean-erased {cv(erase(E)):.3f}  leace {cv(leace_like(E)):.3f}")
